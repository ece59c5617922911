using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// The layer loop in <see cref="LightGcnModel"/> is the formula; the CPU kernel is a backend behind it. These tests run
/// the loop with libtorch's sparse product on the CPU and check the kernel against it, forward and backward.
/// </summary>
public sealed class BackendParityTests
{
    private static NormalizedAdjacency Graph(int seed)
    {
        var random = new Random(seed);
        var pairs = new HashSet<(int, int)>();
        while (pairs.Count < 5000)
        {
            pairs.Add((random.Next(250), random.Next(400)));
        }

        return NormalizedAdjacency.FromEdges(250, 400, [.. pairs.Select(p => p.Item1)], [.. pairs.Select(p => p.Item2)]);
    }

    /// <summary>Two models with the same weights: one on the CPU kernel, one on libtorch's product.</summary>
    private static (LightGcnModel Kernel, LightGcnModel Torch) Pair(NormalizedAdjacency adjacency, int layers, int dim)
    {
        var options = new LightGcnOptions { EmbeddingDimension = dim, Layers = layers, LayerWeights = [.. Enumerable.Range(1, layers + 1).Select(k => k / 10f)], Seed = 5 };
        var kernel = new LightGcnModel(adjacency, options, new CsrKernelBackend(adjacency));
        var torch = new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency));
        Assert.True(kernel.Embedding.equal(torch.Embedding).all().item<bool>());
        return (kernel, torch);
    }

    [Theory]
    [InlineData(3, 64)]
    [InlineData(1, 7)]
    [InlineData(4, 32)]
    public void The_loop_on_the_kernel_matches_the_loop_on_libtorch_forward_and_backward(int layers, int dim)
    {
        using var adjacency = Graph(layers + dim);
        var (kernel, torch) = Pair(adjacency, layers, dim);
        using (kernel)
        using (torch)
        {
            using var scope = NewDisposeScope();
            var upstream = randn([adjacency.NodeCount, dim], generator: new TorchSharp.torch.Generator(9));

            var fast = kernel.PropagateNodes();
            (fast * upstream).sum().backward();
            var reference = torch.PropagateNodes();
            (reference * upstream).sum().backward();

            Assert.True(fast.allclose(reference, rtol: 1e-5, atol: 1e-6), $"forward differs by {(fast - reference).abs().max().item<float>()}");
            Assert.True(kernel.Embedding.grad!.allclose(torch.Embedding.grad!, rtol: 1e-5, atol: 1e-6),
                $"backward differs by {(kernel.Embedding.grad! - torch.Embedding.grad!).abs().max().item<float>()}");
        }
    }

    [Theory]
    [InlineData(3, 64)]
    [InlineData(2, 16)]
    [InlineData(0, 8)]
    public void Training_rows_on_the_kernel_match_the_loop_on_libtorch_forward_and_backward(int layers, int dim)
    {
        using var adjacency = Graph(10 + layers);
        var (kernel, torch) = Pair(adjacency, layers, dim);
        using (kernel)
        using (torch)
        {
            using var scope = NewDisposeScope();
            int[] nodes = [5, 17, 5, 249, 250, 649, 17, 412, 412, 0];
            var upstream = randn([nodes.Length, dim], generator: new TorchSharp.torch.Generator(2));

            var fast = kernel.PropagateRows(nodes);
            (fast * upstream).sum().backward();
            var reference = torch.PropagateRows(nodes); // libtorch has no row path: the loop, gathered
            (reference * upstream).sum().backward();

            Assert.True(fast.allclose(reference, rtol: 1e-5, atol: 1e-6), $"forward differs by {(fast - reference).abs().max().item<float>()}");
            Assert.True(kernel.Embedding.grad!.allclose(torch.Embedding.grad!, rtol: 1e-5, atol: 1e-6),
                $"backward differs by {(kernel.Embedding.grad! - torch.Embedding.grad!).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Training_rows_equal_the_kernels_whole_layer_sum_bit_for_bit()
    {
        using var adjacency = Graph(3);
        using var backend = new CsrKernelBackend(adjacency);
        using var scope = NewDisposeScope();
        var x = randn([adjacency.NodeCount, 64], generator: new TorchSharp.torch.Generator(4));
        float[] weights = [0.25f, 0.25f, 0.25f, 0.25f];
        int[] nodes = [3, 3, 100, 260, 649];

        var rows = SparseProduct.PropagateRowsOnCpu(backend, x, weights, nodes);
        var whole = SparseProduct.PropagateOnCpu(backend, x, weights).index_select(0, tensor(nodes).to_type(ScalarType.Int64));

        Assert.True(rows.equal(whole).all().item<bool>());
    }
}
