using GraphRec.Core;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class TopKSelectionTests
{
    private static int[] Select(float[] scores, int k)
    {
        var top = new int[k];
        TopKSelection.Select(scores, top);
        return top;
    }

    [Fact]
    public void Picks_the_largest_best_first_and_breaks_ties_by_lower_index()
    {
        float[] scores = [0.1f, 0.9f, 0.5f, 0.9f, 0.3f, 0.5f, 0.7f, 0.2f, 0.9f, 0.0f];
        Assert.Equal([1, 3, 8, 6, 2], Select(scores, 5));
    }

    [Fact]
    public void Never_returns_excluded_or_nan_scores_and_pads_with_minus_one()
    {
        float[] scores = [float.NegativeInfinity, 2f, float.NaN, float.NegativeInfinity, 1f];
        Assert.Equal([1, 4, -1, -1], Select(scores, 4));
    }

    [Fact]
    public void K_larger_than_the_row_returns_every_item_then_minus_one()
    {
        Assert.Equal([2, 0, 1, -1, -1], Select([0.5f, 0.25f, 0.75f], 5));
    }

    [Theory]
    [InlineData(1000, 20, 1)]
    [InlineData(40_981, 20, 2)]
    [InlineData(13, 7, 3)]
    [InlineData(77, 1, 4)]
    public void Agrees_with_torch_topk_on_random_scores(int length, int k, int seed)
    {
        using var scope = NewDisposeScope();
        var scores = rand([length], generator: new TorchSharp.torch.Generator((ulong)seed));
        var (_, expected) = scores.topk(k, largest: true, sorted: true);

        Assert.Equal(expected.to_type(ScalarType.Int32).data<int>().ToArray(), Select(scores.data<float>().ToArray(), k));
    }
}
