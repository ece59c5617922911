using GraphRec.Core;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class LightGcnModelTests
{
    [Theory]
    [InlineData(7, 9, 20, 1, 3)]
    [InlineData(12, 5, 30, 2, 2)]
    [InlineData(4, 4, 10, 3, 0)]
    public void Final_embeddings_equal_a_dense_reference(int userCount, int itemCount, int edges, int seed, int layers)
    {
        var (users, items) = TestGraphs.RandomEdges(userCount, itemCount, edges, seed);
        using var adjacency = NormalizedAdjacency.FromEdges(userCount, itemCount, users, items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 5, Layers = layers, Seed = seed });
        using var scope = NewDisposeScope();

        // Independent dense reference: A from the edge list, Â = D^-1/2 A D^-1/2 (0 for isolated nodes), Σ α_k Â^k E0.
        int n = userCount + itemCount;
        var a = new double[n, n];
        for (int e = 0; e < users.Length; e++)
        {
            a[users[e], userCount + items[e]] = a[userCount + items[e], users[e]] = 1;
        }

        var degree = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(j => a[i, j])).ToArray();
        var normalized = zeros(n, n, ScalarType.Float64);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (a[i, j] != 0)
                {
                    normalized[i, j] = a[i, j] / Math.Sqrt(degree[i] * degree[j]);
                }
            }
        }

        var e0 = model.Embedding.detach().to_type(ScalarType.Float64);
        var expected = e0.DividedBy(layers + 1);
        var power = e0;
        for (int k = 1; k <= layers; k++)
        {
            power = normalized.mm(power);
            expected = expected.Plus(power.DividedBy(layers + 1));
        }

        var (finalUsers, finalItems) = model.Propagate();
        var actual = cat([finalUsers, finalItems]).detach().to_type(ScalarType.Float64);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<double>()}");
    }

    [Fact]
    public void A_node_without_edges_propagates_to_zeros_not_nan()
    {
        using var adjacency = NormalizedAdjacency.FromEdges(3, 3, [0, 1], [0, 1]); // user 2 and item 2 are isolated
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 2, LayerWeights = [0, 0.5f, 0.5f] });
        using var scope = NewDisposeScope();

        var (users, items) = model.Propagate();

        Assert.True(users.isfinite().all().item<bool>() && items.isfinite().all().item<bool>());
        Assert.Equal(0, users[2].abs().sum().item<float>());
        Assert.Equal(0, items[2].abs().sum().item<float>());
        Assert.All(adjacency.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Duplicate_interactions_and_out_of_range_indices_are_refused_with_the_pair()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => NormalizedAdjacency.FromEdges(2, 2, [0, 0], [1, 1]));
        Assert.Contains("(user 0, item 1)", duplicate.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NormalizedAdjacency.FromEdges(2, 2, [0], [5]));
    }

    [Fact]
    public void Wrong_number_of_layer_weights_is_refused() =>
        Assert.Throws<ArgumentException>(() => new LightGcnOptions { Layers = 3, LayerWeights = [1f] }.Validate());
}
