using GraphRec.Core.Kernels;
using GraphRec.Data;
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
        var (users, items) = TestGraphs.RandomEdges(250, 400, 5000, seed);
        return NormalizedAdjacency.FromEdges(250, 400, users, items);
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
        var whole = SparseProduct.PropagateWithKernel(backend, x, weights).index_select(0, tensor(nodes).to_type(ScalarType.Int64));

        Assert.True(rows.equal(whole).all().item<bool>());
    }

    [Theory]
    [InlineData(3, 64)]
    [InlineData(2, 16)]
    [InlineData(1, 5)]
    [InlineData(0, 8)]
    public void A_batchs_gradient_from_the_kernel_matches_autograd_through_the_loop_on_libtorch(int layers, int dim)
    {
        using var adjacency = Graph(20 + layers);
        var (kernel, torch) = Pair(adjacency, layers, dim);
        using (kernel)
        using (torch)
        {
            using var scope = NewDisposeScope();
            int[] nodes = [5, 17, 5, 249, 250, 649, 17, 412, 412, 0, 5];
            var generator = new TorchSharp.torch.Generator(6);
            var upstream = randn([nodes.Length, dim], generator: generator);
            var upstream0 = randn([nodes.Length, dim], generator: generator);

            // Autograd through the formula: the loop's rows and the gathered layer-0 rows, each against its upstream gradient.
            var rows = torch.PropagateRows(nodes);
            var rows0 = torch.Embedding.index_select(0, tensor(nodes).to_type(ScalarType.Int64));
            (rows * upstream).sum().Plus((rows0 * upstream0).sum()).backward();

            var gradient = new float[kernel.Embedding.numel()];
            var backend = (CsrKernelBackend)kernel.Backend;
            SparseProduct.BackpropagateRows(backend, [.. kernel.LayerWeights], backend.IndexBatch(nodes), upstream.data<float>().ToArray(), upstream0.data<float>().ToArray(), gradient);
            var fast = tensor(gradient, kernel.Embedding.shape);

            Assert.True(fast.allclose(torch.Embedding.grad!, rtol: 1e-5, atol: 1e-6), $"the gradient differs by {(fast - torch.Embedding.grad!).abs().max().item<float>()}");
            Assert.True(fast.abs().sum().item<float>() > 0, "the gradient is zero");
        }
    }

    /// <summary>BPR through <see cref="ILoss.Compute"/> only: the kernel's step then takes the loss's gradient from autograd.</summary>
    private sealed class AutogradBpr : ILoss
    {
        private readonly BprLoss _bpr = new(1e-4);

        public Tensor Compute(Tensor embeddings, Tensor layer0) => _bpr.Compute(embeddings, layer0);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Training_on_the_kernel_follows_autograd_and_torchs_adam_on_libtorch_step_for_step(bool lossByAutograd, bool scheduled)
    {
        using var adjacency = Graph(8);
        var train = new Interactions(250, 400, adjacency.RowPointers[..251], [.. adjacency.Columns[..adjacency.RowPointers[250]].Select(c => c - 250)]);
        var options = new LightGcnOptions { EmbeddingDimension = 16, Layers = 3, Seed = 5, Epochs = 2, BatchSize = 256, LearningRate = 0.01 };
        if (scheduled)
        {
            // Each path sets its own Adam's rate (the fused one, or LibTorchAdam) after the milestone.
            (options.LearningRateMilestones, options.LearningRateDecay) = ([1], 0.2);
        }

        using var kernel = new LightGcnModel(adjacency, options, new CsrKernelBackend(adjacency));
        using var torch = new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency));

        var kernelHistory = new LightGcnTrainer(options, lossByAutograd ? new AutogradBpr() : null).Train(kernel, train).History;
        var torchHistory = new LightGcnTrainer(options).Train(torch, train).History;

        using var scope = NewDisposeScope();
        var difference = (kernel.Embedding - torch.Embedding).abs().max().item<float>();
        var moved = (kernel.Embedding - new LightGcnModel(adjacency, options).Embedding).abs().max().item<float>();
        Assert.True(moved > 0.01f, $"training moved the embeddings by only {moved}");
        Assert.True(difference < 1e-4f, $"the kernel's training differs from autograd's by {difference} after {kernelHistory.Count} epochs");
        Assert.Equal(torchHistory.Select(h => h.Loss), kernelHistory.Select(h => h.Loss), (a, b) => Math.Abs(a - b) < 1e-5);
    }
}
