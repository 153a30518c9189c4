"""A small TensorFlow.js graph-model executor on torch (CPU), without TensorFlow.

`TfjsGraph.load(model_json)` reads a TF.js graph model (model.json with `modelTopology.node` and a
`weightsManifest`, weights from the .bin shards beside it); `graph.run({input: array}, [output names])`
executes, in topological order, only the nodes the requested outputs need. Tensors are NHWC as in
TensorFlow; integer tensors are held as int64. An op the executor does not know raises `UnknownOpError`
naming it.
"""
from tools.tfjs.graph import GraphNode, TfjsGraph, TfjsGraphError, UnknownOpError
from tools.tfjs.weights import read_weights

__all__ = ["GraphNode", "TfjsGraph", "TfjsGraphError", "UnknownOpError", "read_weights"]
