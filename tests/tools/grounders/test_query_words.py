from tools.grounders.query_words import attribute_request, content_words, quoted, text_targets


def test_text_targets_from_caps_quotes_and_cues():
    assert text_targets("find the text TISSOT") == ["TISSOT"]
    assert text_targets("the sign that says EXIT") == ["EXIT"]
    assert text_targets("the sign that says EXIT 42") == ["EXIT 42"]
    assert text_targets('where is "hello world" written?') == ["hello world"]
    assert text_targets("the word 'world'") == ["world"]
    assert text_targets("Find the text saying hello") == ["hello"]
    assert text_targets("Segment the red ball") == []


def test_quoted_and_content_words():
    assert quoted("“Café” and 'bar'") == ["Café", "bar"]
    assert "tisot" in content_words("find tisot please")
    assert "the" not in content_words("find the tisot")


def test_attribute_request():
    r = attribute_request("the biggest red round thing in the top right")
    assert r.colors == ["red"] and r.shapes == ["round"] and r.size == "largest"
    assert (r.horizontal, r.vertical) == ("right", "top")
    assert not r.background and not r.empty
    r = attribute_request("the small grey one in the middle")
    assert r.colors == ["gray"] and r.size == "smallest" and r.horizontal == "center" == r.vertical
    assert attribute_request("the sky").background
    assert attribute_request("that one").empty
