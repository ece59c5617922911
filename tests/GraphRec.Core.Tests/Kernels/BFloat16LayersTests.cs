using GraphRec.Core.Kernels;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// <see cref="LightGcnOptions.BFloat16Layers"/>: bfloat16 rounding checked against libtorch's, the kernel's bfloat16
/// products against its float32 products of the rounded rows, and the training step against its float32 self.
/// </summary>
public sealed class BFloat16LayersTests
{
    private static readonly float[] EqualLayerWeights = [0.25f, 0.25f, 0.25f, 0.25f];

    private static NormalizedAdjacency Graph(int seed, int threads = 0)
    {
        var (users, items) = TestGraphs.RandomEdges(250, 400, 5000, seed);
        return NormalizedAdjacency.FromEdges(250, 400, users, items, maxDegreeOfParallelism: threads);
    }

    private static float[] RandomRows(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    private static float[] Rounded(float[] values)
    {
        var narrow = new ushort[values.Length];
        var wide = new float[values.Length];
        BFloat16.Narrow(values, narrow);
        BFloat16.Widen(narrow, wide);
        return wide;
    }

    /// <summary>The kernel's propagated <paramref name="rows"/> of <paramref name="x"/>, each layer weighted 1/4.</summary>
    private static float[] PropagatedRows(CsrKernelBackend backend, float[] x, int dim, int[] rows, bool powersInBFloat16 = false)
    {
        var propagated = new float[rows.Length * dim];
        SparseProduct.PropagateDistinctRows<float>(backend, x, dim, EqualLayerWeights, rows, propagated, powersInBFloat16);
        return propagated;
    }

    [Fact]
    public void Rounding_to_bfloat16_gives_libtorchs_bits_for_ties_extremes_and_nan()
    {
        var random = new Random(3);
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity,
            BitConverter.UInt32BitsToSingle(0x3F80_8000), // a tie whose even neighbour is below
            BitConverter.UInt32BitsToSingle(0x3F81_8000), // a tie whose even neighbour is above
            BitConverter.UInt32BitsToSingle(0x3F80_8001), BitConverter.UInt32BitsToSingle(0x3F80_7FFF), 1e-39f, 3.4e38f,
        };
        values.AddRange(Enumerable.Range(0, 997).Select(_ => BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31))).Where(float.IsFinite));
        float[] input = [.. values];

        using var scope = NewDisposeScope();
        var reference = tensor(input).to_type(ScalarType.BFloat16).to_type(ScalarType.Float32).data<float>().ToArray();
        var narrow = new ushort[input.Length];
        BFloat16.Narrow(input, narrow);

        Assert.Equal(reference.Select(BitConverter.SingleToUInt32Bits), narrow.Select(b => (uint)b << 16));
        Assert.Equal(narrow, input.Select(BFloat16.FromSingle));
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(float.NaN))), "NaN must stay NaN");
        var nans = new ushort[8];
        BFloat16.Narrow(Enumerable.Repeat(float.NaN, 8).ToArray(), nans);
        Assert.All(nans, b => Assert.True(float.IsNaN(BFloat16.ToSingle(b)), "NaN must stay NaN in the vector path"));
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    [InlineData(19, 2)]
    public void A_bfloat16_product_is_the_float32_product_of_the_rounded_rows_rounded_once(int dim, int threads)
    {
        using var adjacency = Graph(dim + threads, threads);
        var partition = adjacency.Partition;
        int length = adjacency.NodeCount * dim;
        float[] x = Rounded(RandomRows(length, dim));
        var xNarrow = new ushort[length];
        BFloat16.Narrow(x, xNarrow);
        var full = new float[length];
        CsrKernel.Multiply<float>(partition, x, full, dim);
        var expected = new ushort[length];
        BFloat16.Narrow(full, expected);

        var fromFloat = new ushort[length];
        var fromBFloat16 = new ushort[length];
        CsrKernel.MultiplyToBFloat16(partition, x, fromFloat, dim);
        CsrKernel.MultiplyToBFloat16(partition, xNarrow, fromBFloat16, dim);

        Assert.Equal(expected, fromFloat);
        Assert.Equal(expected, fromBFloat16);
        Assert.Contains(expected, b => b != 0);

        int[] rows = [0, 3, 3, 17, 249, 250, 400, adjacency.NodeCount - 1];
        var selected = new float[rows.Length * dim];
        CsrKernel.MultiplySelected(partition, rows, xNarrow, selected, dim);
        Assert.Equal(rows.SelectMany(row => full.AsSpan(row * dim, dim).ToArray()), selected);

        var sunk = new float[length];
        CsrKernel.MultiplyRowsTo(partition, xNarrow, dim, new CollectRows(sunk, dim));
        Assert.Equal(full, sunk);
    }

    [Fact]
    public void A_masked_bfloat16_product_reads_only_the_marked_rows()
    {
        using var adjacency = Graph(31, threads: 2);
        const int dim = 64;
        int length = adjacency.NodeCount * dim;
        var random = new Random(5);
        bool[] marked = [.. Enumerable.Range(0, adjacency.NodeCount).Select(_ => random.Next(4) == 0)];
        float[] values = RandomRows(length, 6);
        var withNaN = new ushort[length];
        var zeroed = new ushort[length];
        BFloat16.Narrow(values, withNaN);
        BFloat16.Narrow(values, zeroed);
        for (int row = 0; row < adjacency.NodeCount; row++)
        {
            if (!marked[row])
            {
                withNaN.AsSpan(row * dim, dim).Fill(BFloat16.FromSingle(float.NaN));
                zeroed.AsSpan(row * dim, dim).Clear();
            }
        }

        var masked = new ushort[length];
        var full = new ushort[length];
        CsrKernel.MultiplyToBFloat16(adjacency.Partition, withNaN, masked, dim, marked);
        CsrKernel.MultiplyToBFloat16(adjacency.Partition, zeroed, full, dim);

        Assert.Equal(full, masked);
    }

    [Fact]
    public void The_forward_rows_with_bfloat16_layers_equal_float32_products_with_each_layer_rounded()
    {
        using var adjacency = Graph(12);
        using var backend = new CsrKernelBackend(adjacency);
        const int dim = 64;
        float[] weights = EqualLayerWeights;
        int length = adjacency.NodeCount * dim;
        float[] x = RandomRows(length, 8);
        int[] rows = [1, 5, 249, 250, 300, 649];

        // The formula by hand: Y_k = round(Â Y_(k-1)) in float32 products, the last product unrounded, the sums in float32.
        var expected = new float[rows.Length * dim];
        var previous = x;
        for (int i = 0; i < rows.Length; i++)
        {
            for (int d = 0; d < dim; d++)
            {
                expected[(i * dim) + d] = weights[0] * x[(rows[i] * dim) + d];
            }
        }

        for (int k = 1; k <= 3; k++)
        {
            var product = new float[length];
            CsrKernel.Multiply<float>(adjacency.Partition, previous, product, dim);
            var layer = k < 3 ? Rounded(product) : product;
            for (int i = 0; i < rows.Length; i++)
            {
                var target = expected.AsSpan(i * dim, dim);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(layer.AsSpan(rows[i] * dim, dim), weights[k], target, target);
            }

            previous = layer;
        }

        var actual = PropagatedRows(backend, x, dim, rows, powersInBFloat16: true);
        var full = PropagatedRows(backend, x, dim, rows);

        Assert.Equal(expected, actual);
        Assert.NotEqual(full, actual);
    }

    [Fact]
    public void Bfloat16_and_float32_powers_alternating_share_one_pair_of_scratch_buffers_and_still_give_their_own_rows()
    {
        using var adjacency = Graph(13);
        using var backend = new CsrKernelBackend(adjacency);
        const int dim = 32;
        int length = adjacency.NodeCount * dim;
        float[] x = RandomRows(length, 9);
        int[] rows = [0, 7, 249, 250, 511];

        var full = PropagatedRows(backend, x, dim, rows);
        TorchSharp.torch.Tensor first;
        lock (backend.ScratchLock)
        {
            first = backend.Scratch(ScalarType.Float32, length).First;
        }

        var narrow = PropagatedRows(backend, x, dim, rows, powersInBFloat16: true);
        var fullAgain = PropagatedRows(backend, x, dim, rows);
        var narrowAgain = PropagatedRows(backend, x, dim, rows, powersInBFloat16: true);

        lock (backend.ScratchLock)
        {
            Assert.Same(first, backend.Scratch(ScalarType.BFloat16, length).First);
            Assert.Same(first, backend.Scratch(ScalarType.Float32, length).First);
            Assert.NotSame(first, backend.Scratch(ScalarType.Float64, length).First);
        }

        Assert.Equal(full, fullAgain);
        Assert.Equal(narrow, narrowAgain);
        Assert.NotEqual(full, narrow);
    }

    [Theory]
    [InlineData(3, 64)]
    [InlineData(2, 16)]
    [InlineData(1, 8)]
    public void A_batchs_gradient_with_bfloat16_layers_stays_within_bfloat16_rounding_of_the_float32_gradient(int layers, int dim)
    {
        using var adjacency = Graph(40 + layers);
        using var backend = new CsrKernelBackend(adjacency);
        float[] weights = [.. Enumerable.Range(1, layers + 1).Select(k => k / 10f)];
        int[] nodes = [5, 17, 5, 249, 250, 649, 17, 412, 412, 0, 5];
        float[] upstream = RandomRows(nodes.Length * dim, 1), upstream0 = RandomRows(nodes.Length * dim, 2);
        var full = new float[adjacency.NodeCount * dim];
        var rounded = new float[adjacency.NodeCount * dim];

        SparseProduct.BackpropagateRows(backend, weights, backend.IndexBatch(nodes), upstream, upstream0, full);
        SparseProduct.BackpropagateRows(backend, weights, backend.IndexBatch(nodes), upstream, upstream0, rounded, powersInBFloat16: true);

        // Each T_k is rounded to 8 significant bits once or twice, so the gradient's relative error stays near 2^-8.
        double error = Math.Sqrt(full.Zip(rounded, (a, b) => (double)(a - b) * (a - b)).Sum());
        double norm = Math.Sqrt(full.Sum(a => (double)a * a));
        Assert.True(norm > 0, "the gradient is zero");
        Assert.True(error < 1e-2 * norm, $"the gradient with bfloat16 layers differs by {error / norm:P2} of its norm");
        if (layers > 1)
        {
            Assert.True(error > 0, "the bfloat16 layers changed nothing: they are not in use");
        }
    }

    [Fact]
    public void Training_with_bfloat16_layers_gives_the_same_model_on_one_and_two_threads_and_tracks_float32()
    {
        var (users, items) = TestGraphs.RandomEdges(250, 400, 5000, 8);
        float[] Train(bool bfloat16Layers, int threads)
        {
            using var adjacency = NormalizedAdjacency.FromEdges(250, 400, users, items, maxDegreeOfParallelism: threads);
            var train = new Interactions(250, 400, adjacency.RowPointers[..251], [.. adjacency.Columns[..adjacency.RowPointers[250]].Select(c => c - 250)]);
            var options = new LightGcnOptions
            {
                EmbeddingDimension = 64, Layers = 3, Seed = 5, Epochs = 3, BatchSize = 256, LearningRate = 0.01, Threads = threads, BFloat16Layers = bfloat16Layers,
            };
            using var model = new LightGcnModel(adjacency, options);
            new LightGcnTrainer(options).Train(model, train);
            return model.Embedding.data<float>().ToArray();
        }

        float[] initial;
        using (var adjacency = NormalizedAdjacency.FromEdges(250, 400, users, items))
        using (var untrained = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 64, Layers = 3, Seed = 5 }))
        {
            initial = untrained.Embedding.data<float>().ToArray();
        }

        var one = Train(true, 1);
        var two = Train(true, 2);
        var full = Train(false, 2);

        Assert.Equal(one, two);
        Assert.NotEqual(full, two);

        // Adam's step divides by the root of the second moment, so a rounded gradient near zero can move a value by up to
        // a step the other way: compared over all values, the two runs must have travelled nearly the same path.
        static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
        double apart = Distance(full, two), travelled = Distance(full, initial);
        Assert.True(apart < 0.01 * travelled, $"bfloat16 layers ended {apart:F4} away from float32 training, which travelled {travelled:F4}");
    }

    [Fact]
    public void Bfloat16_layers_on_a_model_the_kernel_does_not_train_are_refused_naming_the_option()
    {
        var (users, items) = TestGraphs.RandomEdges(20, 30, 100, 1);
        using var adjacency = NormalizedAdjacency.FromEdges(20, 30, users, items);
        var train = new Interactions(20, 30, adjacency.RowPointers[..21], [.. adjacency.Columns[..adjacency.RowPointers[20]].Select(c => c - 20)]);
        var options = new LightGcnOptions { EmbeddingDimension = 8, Epochs = 1, BFloat16Layers = true };
        using var model = new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency));

        var error = Assert.Throws<ArgumentException>(() => new LightGcnTrainer(options).Train(model, train));

        Assert.Contains("BFloat16Layers", error.Message, StringComparison.Ordinal);
        Assert.Contains("false", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Stores each row a product hands over into a <c>[rows, dim]</c> matrix.</summary>
    private readonly struct CollectRows(float[] target, int dim) : IRowSink
    {
        public void Accept(int row, Span<float> values) => values.CopyTo(target.AsSpan(row * dim, dim));

        public void Prefetch(int row)
        {
        }

        public void Complete()
        {
        }
    }
}
