using GraphRec.Core;
using GraphRec.Core.Kernels;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class SparseProductTests
{
    private static NormalizedAdjacency RandomAdjacency(int users, int items, int edges, int seed, int threads = 0)
    {
        var random = new Random(seed);
        var pairs = new HashSet<(int User, int Item)>();
        while (pairs.Count < edges)
        {
            pairs.Add((random.Next(users), random.Next(items)));
        }

        return NormalizedAdjacency.FromEdges(
            users, items, [.. pairs.Select(p => p.User)], [.. pairs.Select(p => p.Item)], maxDegreeOfParallelism: threads);
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    [InlineData(5, 2)]
    [InlineData(19, 3)]
    public void Kernel_forward_and_backward_match_torch_mm(int dim, int threads)
    {
        // Big enough (> 4096 non-zeros) that the rows are cut into several parallel blocks.
        using var adjacency = RandomAdjacency(300, 500, 6000, seed: dim + threads, threads);
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var x = randn([adjacency.NodeCount, dim], generator: generator).requires_grad_();
        var upstream = randn([adjacency.NodeCount, dim], generator: generator);
        Assert.True(SparseProduct.UsesKernel(x));

        var y = SparseProduct.Multiply(adjacency, x);
        (y * upstream).sum().backward();
        var kernelGradient = x.grad!.clone();
        x.grad!.zero_();

        var reference = mm(adjacency.Sparse, x);
        (reference * upstream).sum().backward();

        Assert.True(y.allclose(reference, rtol: 1e-5, atol: 1e-6), $"forward differs by {(y - reference).abs().max().item<float>()}");
        Assert.True(kernelGradient.allclose(x.grad!, rtol: 1e-5, atol: 1e-6), $"backward differs by {(kernelGradient - x.grad!).abs().max().item<float>()}");
    }

    [Fact]
    public void Kernel_result_does_not_depend_on_the_thread_count()
    {
        using var single = RandomAdjacency(400, 700, 9000, seed: 5, threads: 1);
        using var parallel = RandomAdjacency(400, 700, 9000, seed: 5, threads: 2);
        Assert.True(parallel.Partition.BlockCount > 1, "the parallel adjacency should be cut into several blocks");
        using var scope = NewDisposeScope();
        var x = randn([single.NodeCount, 64], generator: new TorchSharp.torch.Generator(3));
        Assert.True(SparseProduct.Multiply(single, x).equal(SparseProduct.Multiply(parallel, x)).all().item<bool>());
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    [InlineData(36, 2)]
    [InlineData(3, 2)]
    public void A_product_over_marked_rows_equals_the_product_with_the_other_rows_zeroed_and_never_reads_them(int dim, int threads)
    {
        using var adjacency = RandomAdjacency(300, 500, 6000, seed: dim, threads);
        var random = new Random(dim + threads);
        int nodes = adjacency.NodeCount;
        var marked = new bool[nodes];
        var x = new float[nodes * dim];
        var zeroed = new float[nodes * dim];
        for (int row = 0; row < nodes; row++)
        {
            // Every row of the first 40 marked (rows whose columns are all kept), none of the next 40 (rows with none
            // kept), then one in eight; an unmarked row holds NaN, so reading one would show in the result.
            marked[row] = row < 40 || (row >= 80 && random.Next(8) == 0);
            for (int d = 0; d < dim; d++)
            {
                float value = (float)((random.NextDouble() * 2) - 1);
                x[(row * dim) + d] = marked[row] ? value : float.NaN;
                zeroed[(row * dim) + d] = marked[row] ? value : 0f;
            }
        }

        var masked = new float[nodes * dim];
        var full = new float[nodes * dim];
        CsrKernel.Multiply<float>(adjacency.Partition, x, masked, dim, nonZeroRows: marked);
        CsrKernel.Multiply<float>(adjacency.Partition, zeroed, full, dim);

        Assert.Equal(full, masked);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Selected_rows_of_a_product_equal_those_rows_of_the_full_product_bit_for_bit_when_their_non_zeros_fill_several_runs(int threads)
    {
        // Users of degree about 150: a few hundred picked rows hold far more non-zeros than one run of copied rows.
        using var adjacency = RandomAdjacency(400, 300, 60000, seed: 21, threads);
        const int dim = 64;
        var random = new Random(threads);
        int nodes = adjacency.NodeCount;
        int[] rows = [.. Enumerable.Range(0, nodes).Where(_ => random.Next(3) == 0)];
        Assert.True(rows.Sum(row => adjacency.RowPointers[row + 1] - adjacency.RowPointers[row]) > 4 * 8192, "the picked rows should fill several runs");
        var x = new float[nodes * dim];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var full = new float[nodes * dim];
        var selected = new float[rows.Length * dim];
        CsrKernel.Multiply<float>(adjacency.Partition, x, full, dim);
        CsrKernel.MultiplySelected<float>(adjacency.Partition, rows, x, selected, dim);

        Assert.Equal(rows.SelectMany(row => full.AsSpan(row * dim, dim).ToArray()), selected);
    }

    [Theory]
    [InlineData(1, 0, 500)]
    [InlineData(2, 0, 500)]
    [InlineData(2, 30, 400)]
    [InlineData(2, 499, 1)]
    public void A_range_of_rows_of_a_rectangular_product_equals_those_rows_of_the_whole_product_bit_for_bit(int threads, int firstRow, int rowCount)
    {
        // [500, 200] with runs of ten empty rows (30 to 39, 80 to 89, ...), enough non-zeros (> 4096) for several parallel runs.
        const int rows = 500, columns = 200, dim = 16;
        var random = new Random(threads + firstRow);
        var pointers = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int row = 0; row < rows; row++)
        {
            if (row % 50 is < 30 or > 39)
            {
                foreach (int column in Enumerable.Range(0, columns).Where(_ => random.Next(4) == 0))
                {
                    indices.Add(column);
                    values.Add((float)random.NextDouble());
                }
            }

            pointers[row + 1] = indices.Count;
        }

        var matrix = new CsrPartition(pointers, [.. indices], [.. values], threads);
        var x = Enumerable.Range(0, columns * dim).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var whole = new float[rows * dim];
        CsrKernel.MultiplyRectangular(matrix, x, columns, whole, dim);

        var range = Enumerable.Repeat(float.NaN, rowCount * dim).ToArray(); // every row written, empty ones too
        CsrKernel.MultiplyRectangularRows(matrix, firstRow, x, columns, range, dim);

        Assert.True(pointers[firstRow + rowCount] - pointers[firstRow] >= 2 * 4096 || rowCount < 100, "a long range should make several runs");
        Assert.Equal(whole.AsSpan(firstRow * dim, rowCount * dim).ToArray(), range);
    }

    [Fact]
    public void Kernel_gradient_matches_finite_differences_in_double_precision()
    {
        using var adjacency = RandomAdjacency(6, 5, 14, seed: 2);
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(9);
        var x = randn([adjacency.NodeCount, 3], ScalarType.Float64, generator: generator);
        var weights = randn([adjacency.NodeCount, 3], ScalarType.Float64, generator: generator);

        // A non-linear function of two stacked products, so the test sees the backward chained through itself.
        double F(Tensor input)
        {
            using var inner = NewDisposeScope();
            var twice = SparseProduct.Multiply(adjacency, SparseProduct.Multiply(adjacency, input));
            return (twice.tanh() * weights).sum().item<double>();
        }

        var variable = x.clone().requires_grad_();
        var output = SparseProduct.Multiply(adjacency, SparseProduct.Multiply(adjacency, variable));
        (output.tanh() * weights).sum().backward();
        var gradient = variable.grad!;

        double worst = FiniteDifferences.LargestError(x, F, gradient);

        Assert.True(worst < 1e-8, $"largest difference between the kernel's gradient and finite differences: {worst:E2}");
    }

    [Fact]
    public void The_coo_tensor_built_inside_a_scope_outlives_it()
    {
        using var adjacency = RandomAdjacency(5, 5, 10, seed: 1);
        using (NewDisposeScope())
        {
            _ = adjacency.Sparse.shape;
        }

        using var scope = NewDisposeScope();
        Assert.Equal(20, adjacency.Sparse.to_dense().count_nonzero().item<long>());
    }

    [Fact]
    public void The_address_of_a_tensor_over_2_GiB_reaches_its_last_element()
    {
        // 2 GiB and one double, never touched but at its two ends: libtorch leaves the rest unmapped.
        long length = (1L << 28) + 1;
        using var big = empty(length, ScalarType.Float64);
        nint start = SparseProduct.Address(big);
        System.Runtime.InteropServices.Marshal.WriteInt64(start, BitConverter.DoubleToInt64Bits(1.5));
        System.Runtime.InteropServices.Marshal.WriteInt64(start + (nint)((length - 1) * sizeof(double)), BitConverter.DoubleToInt64Bits(2.5));

        Assert.Equal(1.5, big[0].item<double>());
        Assert.Equal(2.5, big[length - 1].item<double>());
        Assert.Equal(0, SparseProduct.Address(empty(0, ScalarType.Float64)));
    }
}


public sealed class FusedAdamTests
{
    [Fact]
    public void Matches_torchsharps_adam_over_several_steps()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(21);
        var start = randn([1000, 7], generator: generator);
        var reference = TorchSharp.torch.nn.Parameter(start.clone());
        var fused = TorchSharp.torch.nn.Parameter(start.clone());
        using var torchAdam = TorchSharp.torch.optim.Adam([reference], 0.01);
        using var ours = new GraphRec.Core.Kernels.FusedAdam(fused, 0.01);

        for (int step = 0; step < 5; step++)
        {
            var target = randn([1000, 7], generator: generator);
            torchAdam.zero_grad();
            ((reference - target).pow(2) * (step + 1)).sum().backward();
            torchAdam.step();
            using (TorchSharp.torch.no_grad())
            {
                var gradient = (2 * (step + 1) * (fused - target)).contiguous();
                ours.Step(gradient.data<float>().ToArray());
            }
        }

        Assert.False(fused.allclose(start), "the parameter did not move");
        Assert.True(fused.allclose(reference, rtol: 1e-5, atol: 1e-6), $"differs from torch's Adam by {(fused - reference).abs().max().item<float>()}");
    }
}

public sealed class RowPropagationTests
{
    [Theory]
    [InlineData(3, 64)]
    [InlineData(2, 64)]
    [InlineData(1, 5)]
    [InlineData(0, 8)]
    [InlineData(4, 19)]
    public void Rows_of_the_propagation_match_the_full_propagation_forward_and_backward(int layers, int dim)
    {
        var random = new Random(layers + dim);
        var pairs = new HashSet<(int, int)>();
        while (pairs.Count < 6000)
        {
            pairs.Add((random.Next(300), random.Next(500)));
        }

        using var adjacency = NormalizedAdjacency.FromEdges(300, 500, [.. pairs.Select(p => p.Item1)], [.. pairs.Select(p => p.Item2)]);
        using var model = new GraphRec.Core.LightGcnModel(adjacency, new GraphRec.Core.LightGcnOptions { EmbeddingDimension = dim, Layers = layers, Seed = 3 });
        using var scope = NewDisposeScope();
        int[] nodes = [5, 17, 5, 299, 300, 799, 17, 412, 412, 0];
        var upstream = randn([nodes.Length, dim], generator: new TorchSharp.torch.Generator(2));

        var rows = model.PropagateRows(nodes);
        (rows * upstream).sum().backward();
        var rowsGradient = model.Embedding.grad!.clone();
        model.Embedding.grad!.zero_();
        var full = model.PropagateNodes().index_select(0, tensor(nodes).to_type(ScalarType.Int64));
        (full * upstream).sum().backward();

        Assert.True(rows.allclose(full, rtol: 1e-5, atol: 1e-7), $"forward differs by {(rows - full).abs().max().item<float>()}");
        Assert.True(rowsGradient.allclose(model.Embedding.grad!, rtol: 1e-5, atol: 1e-7), $"backward differs by {(rowsGradient - model.Embedding.grad!).abs().max().item<float>()}");
    }
}
