using GraphRec.Core;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class GradientTests
{
    [Fact]
    public void Loss_gradient_matches_finite_differences_in_double_precision()
    {
        int[] users = [0, 0, 1, 2, 2];
        int[] items = [0, 1, 1, 2, 3];
        using var adjacency = NormalizedAdjacency.FromEdges(3, 4, users, items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 3, Layers = 2, Seed = 11 });
        using var scope = NewDisposeScope();
        long[] u = [0, 1, 2], i = [1, 1, 3], j = [2, 0, 0];
        var loss = new BprLoss(weightDecay: 0.05);

        // The model's gradient, through LightGcnConv's sparse product and autograd.
        var (finalUsers, finalItems) = model.Propagate();
        var ut = tensor(u);
        // The items' node indices, after the users'.
        var it = tensor(i.Select(item => item + 3).ToArray());
        var jt = tensor(j.Select(item => item + 3).ToArray());
        loss.Compute(
            stack([finalUsers.index_select(0, ut), finalItems.index_select(0, tensor(i)), finalItems.index_select(0, tensor(j))]),
            stack([model.Embedding.index_select(0, ut), model.Embedding.index_select(0, it), model.Embedding.index_select(0, jt)])).backward();
        var gradient = model.Embedding.grad!.to_type(ScalarType.Float64);

        // Central differences of the same loss on an independent dense double-precision forward pass.
        var dense = zeros(7, 7, ScalarType.Float64);
        for (int row = 0; row < 7; row++)
        {
            for (int p = adjacency.RowPointers[row]; p < adjacency.RowPointers[row + 1]; p++)
            {
                dense[row, adjacency.Columns[p]] = (double)adjacency.Values[p];
            }
        }

        double Loss(Tensor e0)
        {
            using var inner = NewDisposeScope();
            var e1 = dense.mm(e0);
            var final = e0.Plus(e1).Plus(dense.mm(e1)).DividedBy(3);
            var fu = final.index_select(0, ut);
            var fi = final.index_select(0, it);
            var fj = final.index_select(0, jt);
            return loss.Compute(stack([fu, fi, fj]), stack([e0.index_select(0, ut), e0.index_select(0, it), e0.index_select(0, jt)])).item<double>();
        }

        var e0 = model.Embedding.detach().to_type(ScalarType.Float64).clone();
        double worst = FiniteDifferences.LargestError(e0, Loss, gradient);

        Assert.True(worst < 1e-5, $"largest difference between autograd and finite differences: {worst:E2}");
    }
}
