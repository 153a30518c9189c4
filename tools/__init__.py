"""Everything that touches pixels: images, masks, segmenters, grounders, weights, LangChain wrappers.

This package never imports from agent/, graphs/, evals/ or miras/.
"""
