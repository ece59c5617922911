// A consumer of the GraphRec.Core package, built outside the repository by .ci/smoke/run.sh.
using GraphRec.Core;
using static TorchSharp.torch;

// A tiny interaction graph: 3 users, 4 items.
int[] users = [0, 0, 1, 1, 2];
int[] items = [0, 1, 1, 2, 3];
using var adjacency = NormalizedAdjacency.FromEdges(3, 4, users, items);
using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2 });
using var scope = NewDisposeScope();

var (userEmbeddings, itemEmbeddings) = model.Propagate();
var positive = LightGcnModel.Score(userEmbeddings, itemEmbeddings, tensor(new long[] { 0, 1, 2 }), tensor(new long[] { 0, 2, 3 }));
var negative = LightGcnModel.Score(userEmbeddings, itemEmbeddings, tensor(new long[] { 0, 1, 2 }), tensor(new long[] { 3, 0, 1 }));
nn.functional.softplus(negative - positive).mean().backward();

var gradient = model.Embedding.grad;
if (gradient is null || !gradient.isfinite().all().item<bool>() || gradient.abs().sum().item<float>() == 0)
{
    Console.Error.WriteLine("smoke app: the backward pass produced no usable gradient");
    return 1;
}

Console.WriteLine($"smoke app: LightGCN forward and backward ran on {adjacency.NodeCount} nodes, {adjacency.NonZeroCount} non-zeros");
return 0;
