using System.Numerics;
using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// The CPU kernel's products as TorchSharp autograd functions, for <see cref="CsrKernelBackend"/>: <c>Â X</c>, the layer
/// sum <c>Σ α_k Â^k X</c> and its rows. Â is symmetric, so the gradient of <c>Y = Â X</c> is <c>dX = Â dY</c>, and the
/// layer sum, a polynomial in Â, is its own transpose too: each backward pass is the forward kernel applied to the
/// incoming gradient.
/// </summary>
internal static class SparseProduct
{
    /// <summary>Returns <c>Â X</c> for <paramref name="dense"/> of shape <c>[NodeCount, dim]</c> on the adjacency's device.</summary>
    /// <exception cref="ArgumentException">The row count of <paramref name="dense"/> is not the adjacency's node count.</exception>
    public static Tensor Multiply(NormalizedAdjacency adjacency, Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        ArgumentNullException.ThrowIfNull(dense);
        CheckShape(adjacency, dense);
        if (!UsesKernel(dense))
        {
            throw new ArgumentException("The CSR kernel needs a CPU float32 or float64 tensor.", nameof(dense));
        }

        return CsrProductFunction.apply(dense, adjacency);
    }

    /// <summary>
    /// The rows <paramref name="nodes"/> of <c>P X = Σ_{k=0..K} α_k Â^k X</c>, shape <c>[nodes.Length, dim]</c> (rows may
    /// repeat), as one differentiable operation on the CPU kernel: what a training batch needs, without the last
    /// product's other rows.
    /// </summary>
    /// <remarks>
    /// Forward: the powers up to <c>Â^(K-1) X</c> in full, the last product only for the distinct rows asked for, each
    /// row computed exactly as the full propagation computes it. Backward: the gradient scattered back onto its rows,
    /// then <c>P</c> applied to it (P is symmetric), the first product reading only those rows.
    /// </remarks>
    internal static Tensor PropagateRowsOnCpu(CsrKernelBackend backend, Tensor dense, float[] layerWeights, int[] nodes)
    {
        CheckShape(backend.Adjacency, dense);
        if (!UsesKernel(dense) || layerWeights.Length == 0)
        {
            throw new ArgumentException("The fused propagation needs a CPU float32 or float64 tensor and at least one layer weight.", nameof(dense));
        }

        return RowPropagationFunction.apply(dense, backend, layerWeights, nodes);
    }

    /// <summary>
    /// The gradient of a loss with respect to X, given its gradient <c>G</c> at the rows <paramref name="batch"/> of
    /// <c>P X</c> and <c>G₀</c> at the same rows of X itself, into <paramref name="gradient"/> (every row written):
    /// <code>
    ///   ∂L/∂X = Pᵀ Sᵀ G + Sᵀ G₀ = P B + Sᵀ G₀,   B = Sᵀ G      (S gathers the rows; P is symmetric)
    ///   P B = T_0,   T_K = α_K B,   T_k = α_k B + Â T_(k+1)    (Horner's scheme, k = K-1 .. 0)
    /// </code>
    /// The same gradient autograd computes through <see cref="PropagateRowsOnCpu"/> and a gather of X (summed in
    /// another order), over the backend's buffers: each step is one product and an update of the batch's rows, with no
    /// running sum over the whole table and no libtorch operation on a whole <c>[NodeCount, dim]</c> matrix.
    /// </summary>
    /// <param name="backend">The CPU backend: Â and the buffers.</param>
    /// <param name="layerWeights">α_0 .. α_K.</param>
    /// <param name="batch">The gathered rows, repeats allowed.</param>
    /// <param name="rowGradients">G, <c>[batch.Nodes.Length, dim]</c>.</param>
    /// <param name="layer0Gradients">G₀, <c>[batch.Nodes.Length, dim]</c>.</param>
    /// <param name="gradient">∂L/∂X, <c>[NodeCount, dim]</c>.</param>
    /// <param name="powersInBFloat16">Keep the powers <c>T_k</c> in bfloat16 between the products (<see cref="BFloat16Powers"/>).</param>
    internal static unsafe void BackpropagateRows(
        CsrKernelBackend backend, float[] layerWeights, BatchRows batch, ReadOnlySpan<float> rowGradients, ReadOnlySpan<float> layer0Gradients, Span<float> gradient,
        bool powersInBFloat16 = false)
    {
        fixed (float* target = gradient)
        {
            BackpropagateRows(backend, layerWeights, batch, rowGradients, layer0Gradients, new StoreRows((nint)target, gradient.Length / backend.Adjacency.NodeCount),
                powersInBFloat16);
        }
    }

    /// <summary>
    /// <see cref="BackpropagateRows(CsrKernelBackend, float[], BatchRows, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>
    /// with each row of ∂L/∂X handed to <paramref name="gradientRows"/> as the last product computes it, instead of stored:
    /// training applies Adam to it there, so the whole gradient is never written out and read back. With
    /// <c>powersInBFloat16</c> the powers <c>T_k</c> are kept in bfloat16 (<see cref="BFloat16Powers"/>): the products
    /// fetch half the bytes per neighbour row, and every sum is still float32.
    /// </summary>
    internal static unsafe void BackpropagateRows<TSink>(
        CsrKernelBackend backend, float[] layerWeights, BatchRows batch, ReadOnlySpan<float> rowGradients, ReadOnlySpan<float> layer0Gradients,
        TSink gradientRows, bool powersInBFloat16 = false)
        where TSink : struct, IRowSink
    {
        int[] nodes = batch.Nodes, distinctRows = batch.Distinct, positions = batch.Positions;
        var partition = backend.Adjacency.Partition;
        int dim = rowGradients.Length / Math.Max(nodes.Length, 1);
        int layers = layerWeights.Length - 1;
        int length = backend.Adjacency.NodeCount * dim, compactLength = distinctRows.Length * dim;
        lock (backend.ScratchLock)
        {
            // B = Sᵀ G and Sᵀ G₀ at the batch's distinct rows only, compact (row p is node distinctRows[p]), each row's
            // share summed in order of the gathered rows: every later use reads these, never a whole [nodes, dim] table.
            // Compact because whole tables' few thousand scattered rows cost a cache miss each and push out the
            // products': the gradient phase is shorter this way (phases benchmark).
            var compact = backend.ScratchBatchRows(2 * compactLength);
            var batchB = compact.AsSpan(0, compactLength);
            var batchG0 = compact.AsSpan(compactLength, compactLength);
            batchB.Clear();
            batchG0.Clear();
            AddByPosition(batchB, rowGradients, positions, dim);
            AddByPosition(batchG0, layer0Gradients, positions, dim);
            var (first, second) = backend.Scratch(powersInBFloat16 ? ScalarType.BFloat16 : ScalarType.Float32, length);
            var nonZeroRows = backend.ScratchMask();
            var slots = backend.ScratchSlots();
            Array.Clear(nonZeroRows);
            for (int p = 0; p < distinctRows.Length; p++)
            {
                nonZeroRows[distinctRows[p]] = true;
                slots[distinctRows[p]] = p + 1;
            }

            try
            {
                fixed (int* slot = slots)
                fixed (float* batchRows = batchB)
                fixed (float* layer0Rows = batchG0)
                {
                    // T_0 = Â T_1 + α_0 B, then + Sᵀ G₀, row by row into the sink.
                    var rows = new AddBatchRows<TSink>((nint)slot, (nint)batchRows, (nint)layer0Rows, layerWeights[0], dim, gradientRows);
                    nint firstBuffer = Address(first), secondBuffer = Address(second);
                    if (powersInBFloat16)
                    {
                        BackpropagateThroughPowers(new BFloat16Powers(0, firstBuffer, secondBuffer, length, dim), partition, layerWeights, distinctRows, batchB, nonZeroRows, rows, dim);
                    }
                    else
                    {
                        BackpropagateThroughPowers(new DensePowers<float>(0, firstBuffer, secondBuffer, length, dim), partition, layerWeights, distinctRows, batchB, nonZeroRows, rows, dim);
                    }
                }
            }
            finally
            {
                foreach (int row in distinctRows)
                {
                    slots[row] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Horner's steps <c>T_K = α_K B</c> (on the batch's rows only) and <c>T_k = α_k B + Â T_(k+1)</c> down to
    /// <c>T_1</c>, which ends in buffer 1 (the first product reads only the batch's rows), then each row of <c>Â T_1</c>
    /// into <paramref name="rows"/> (zero rows when there are no layers).
    /// </summary>
    private static void BackpropagateThroughPowers<TPowers, TRows>(
        TPowers powers, CsrPartition partition, float[] layerWeights, int[] distinctRows, ReadOnlySpan<float> batchB, bool[] nonZeroRows, TRows rows, int dim)
        where TPowers : struct, IPowerBuffers<float>
        where TRows : struct, IRowSink
    {
        int layers = layerWeights.Length - 1;
        if (layers == 0)
        {
            var zero = new float[dim];
            for (int row = 0; row < nonZeroRows.Length; row++)
            {
                Array.Clear(zero);
                rows.Accept(row, zero);
            }

            rows.Complete();
            return;
        }

        int previous = layers % 2 == 1 ? 1 : 2;
        powers.ClearRows(previous, distinctRows);
        powers.AddScaledRows(previous, batchB, distinctRows, layerWeights[layers]);
        for (int k = layers - 1; k >= 1; k--)
        {
            int current = k % 2 == 1 ? 1 : 2;
            powers.Multiply(partition, previous, current, k == layers - 1 ? nonZeroRows : default);
            powers.AddScaledRows(current, batchB, distinctRows, layerWeights[k]);
            previous = current;
        }

        powers.MultiplyRowsTo(partition, previous, rows, layers == 1 ? nonZeroRows : default);
    }

    /// <summary>
    /// Adds <c>α_0 B + Sᵀ G₀</c> to the batch's rows (in that order, as the stored gradient adds them), then passes every
    /// row on. B and Sᵀ G₀ are compact: a node's row is at its slot minus one (slot 0: not in the batch).
    /// </summary>
    private readonly unsafe struct AddBatchRows<TSink>(nint slots, nint batchRows, nint layer0Rows, float alpha0, int dim, TSink next) : IRowSink
        where TSink : struct, IRowSink
    {
        public void Prefetch(int row)
        {
            int slot = ((int*)slots)[row];
            if (slot != 0)
            {
                long offset = (long)(slot - 1) * dim;
                CsrKernel.Prefetch((float*)batchRows + offset, dim);
                CsrKernel.Prefetch((float*)layer0Rows + offset, dim);
            }

            next.Prefetch(row);
        }

        public void Accept(int row, Span<float> values)
        {
            int slot = ((int*)slots)[row];
            if (slot != 0)
            {
                long offset = (long)(slot - 1) * dim;
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>((float*)batchRows + offset, dim), alpha0, values, values);
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>((float*)layer0Rows + offset, dim), 1f, values, values);
            }

            next.Accept(row, values);
        }

        public void Complete() => next.Complete();
    }

    /// <summary>Stores each row into a <c>[rows, dim]</c> matrix.</summary>
    private readonly unsafe struct StoreRows(nint target, int dim) : IRowSink
    {
        public void Prefetch(int row)
        {
        }

        public void Accept(int row, Span<float> values) => values.CopyTo(new Span<float>((float*)target + ((long)row * dim), dim));

        public void Complete()
        {
        }
    }

    /// <summary><c>target[positions[i]] += rows[i]</c> in order of i, into a compact matrix.</summary>
    private static void AddByPosition(Span<float> target, ReadOnlySpan<float> rows, int[] positions, int dim)
    {
        for (int i = 0; i < positions.Length; i++)
        {
            var destination = target.Slice(positions[i] * dim, dim);
            TensorPrimitives.Add(destination, rows.Slice(i * dim, dim), destination);
        }
    }

    /// <summary>Rows <paramref name="distinctRows"/> (ascending) of <c>Σ α_k Â^k X</c>, outside autograd.</summary>
    private static Tensor PropagateRowsWithKernel(CsrKernelBackend backend, Tensor dense, float[] layerWeights, int[] distinctRows)
    {
        using var scope = NewDisposeScope();
        var input = dense.contiguous();
        int dim = (int)input.shape[1];
        var sum = empty([distinctRows.Length, dim], input.dtype);
        if (input.dtype == ScalarType.Float32)
        {
            PropagateDistinctRows<float>(backend, Floats<float>(input, input), dim, layerWeights, distinctRows, Floats<float>(sum, sum));
        }
        else
        {
            PropagateDistinctRows<double>(backend, Floats<double>(input, input), dim, layerWeights, distinctRows, Floats<double>(sum, sum));
        }

        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows <paramref name="rows"/> (distinct, ascending) of <c>Σ α_k Â^k X</c> into <paramref name="rowSums"/>
    /// (<c>[rows.Length, dim]</c>): the powers up to <c>Â^(K-1) X</c> in full, the last product for these rows only,
    /// each row summed as the whole propagation sums it. With <c>powersInBFloat16</c> (float32 X only) the powers are
    /// kept in bfloat16 (<see cref="BFloat16Powers"/>), and every sum is still float32.
    /// </summary>
    internal static unsafe void PropagateDistinctRows<T>(
        CsrKernelBackend backend, ReadOnlySpan<T> input, int dim, float[] layerWeights, int[] rows, Span<T> rowSums, bool powersInBFloat16 = false)
        where T : unmanaged, INumber<T>
    {
        if (powersInBFloat16 && typeof(T) != typeof(float))
        {
            throw new ArgumentException("bfloat16 powers need a float32 X.", nameof(powersInBFloat16));
        }

        T alpha0 = T.CreateTruncating(layerWeights[0]);
        for (int i = 0; i < rows.Length; i++)
        {
            CsrKernel.PrefetchAhead(input, rows, i, dim);
            TensorPrimitives.Multiply(input.Slice(rows[i] * dim, dim), alpha0, rowSums.Slice(i * dim, dim));
        }

        int layers = layerWeights.Length - 1;
        if (layers == 0)
        {
            return;
        }

        var partition = backend.Adjacency.Partition;
        lock (backend.ScratchLock)
        fixed (T* x = input)
        {
            var type = powersInBFloat16 ? ScalarType.BFloat16 : typeof(T) == typeof(float) ? ScalarType.Float32 : ScalarType.Float64;
            var (first, second) = backend.Scratch(type, input.Length);
            if (powersInBFloat16)
            {
                // The last product's rows are float32; the bfloat16 buffer the previous power is not in may be too small.
                var lastRows = backend.ScratchBatchRows(rowSums.Length).AsSpan(0, rowSums.Length);
                var powers = new BFloat16Powers((nint)x, Address(first), Address(second), input.Length, dim);
                PropagateThroughPowers(powers, partition, layerWeights, rows, MemoryMarshal.Cast<T, float>(rowSums), lastRows);
            }
            else
            {
                // The last product goes to the buffer the previous power is not in.
                var lastRows = Floats<T>(layers % 2 == 1 ? first : second, rowSums.Length);
                PropagateThroughPowers(new DensePowers<T>((nint)x, Address(first), Address(second), input.Length, dim), partition, layerWeights, rows, rowSums, lastRows);
            }
        }
    }

    /// <summary>
    /// <c>rowSums += Σ_{k ≥ 1} α_k (Â^k X)[rows]</c>: the powers up to <c>Â^(K-1) X</c> in full, each one's rows added as
    /// it is made, the last product for these rows only, into <paramref name="lastRows"/>.
    /// </summary>
    private static void PropagateThroughPowers<T, TPowers>(TPowers powers, CsrPartition partition, float[] layerWeights, int[] rows, Span<T> rowSums, Span<T> lastRows)
        where T : unmanaged, INumber<T>
        where TPowers : struct, IPowerBuffers<T>
    {
        int layers = layerWeights.Length - 1, previous = 0;
        for (int k = 1; k < layers; k++)
        {
            int current = k % 2 == 1 ? 1 : 2;
            powers.Multiply(partition, previous, current);
            powers.AddRowsTo(rowSums, current, rows, T.CreateTruncating(layerWeights[k]));
            previous = current;
        }

        powers.MultiplySelected(partition, rows, previous, lastRows);
        TensorPrimitives.MultiplyAdd(lastRows, T.CreateTruncating(layerWeights[layers]), rowSums, rowSums);
    }

    /// <summary>
    /// The address of a contiguous CPU tensor's first element (its memory, which libtorch keeps in place), for tensors of
    /// any size: TorchSharp's <c>bytes</c> is a span, which stops at 2 GiB, so the address is taken from a view of the
    /// first element. 0 for an empty tensor.
    /// </summary>
    internal static unsafe nint Address(Tensor tensor)
    {
        if (tensor.numel() == 0)
        {
            return 0;
        }

        using var first = tensor.reshape(-1).narrow(0, 0, 1);
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }

    /// <summary>Whether <see cref="Multiply"/> runs the CSR kernel (CPU, float32 or float64) rather than <c>torch.mm</c>.</summary>
    public static bool UsesKernel(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        return dense.device_type == DeviceType.CPU && dense.dtype is ScalarType.Float32 or ScalarType.Float64;
    }

    internal static void CheckShape(NormalizedAdjacency adjacency, Tensor dense)
    {
        if (dense.dim() != 2 || dense.shape[0] != adjacency.NodeCount)
        {
            throw new ArgumentException(
                $"Expected a [{adjacency.NodeCount}, dim] matrix to propagate, got [{string.Join(", ", dense.shape)}].", nameof(dense));
        }
    }

    /// <summary><c>Σ α_k Â^k X</c> with the kernel, outside autograd, into a new tensor.</summary>
    /// <param name="backend">The CPU backend: Â and the scratch buffers.</param>
    /// <param name="dense">X.</param>
    /// <param name="layerWeights">α_0 .. α_K.</param>
    /// <param name="nonZeroRows">
    /// The only rows of X that may be non-zero, skipped in the first product when given: worth it in backward, where X
    /// is the gradient of a batch's gathered rows, a few thousand non-zero rows of tens of thousands.
    /// </param>
    internal static Tensor PropagateWithKernel(CsrKernelBackend backend, Tensor dense, float[] layerWeights, int[]? nonZeroRows = null)
    {
        using var scope = NewDisposeScope();
        var input = dense.contiguous();
        var sum = input.Times(layerWeights[0]).contiguous();
        if (layerWeights.Length < 2)
        {
            return sum.MoveToOuterDisposeScope();
        }

        if (input.dtype == ScalarType.Float32)
        {
            PropagateInto<float>(backend, input, sum, layerWeights, nonZeroRows);
        }
        else
        {
            PropagateInto<double>(backend, input, sum, layerWeights, nonZeroRows);
        }

        return sum.MoveToOuterDisposeScope();
    }

    private static void PropagateInto<T>(
        CsrKernelBackend backend, Tensor input, Tensor sum, float[] layerWeights, int[]? knownNonZeroRows)
        where T : unmanaged, INumber<T>
    {
        var adjacency = backend.Adjacency;
        int dim = (int)input.shape[1];
        lock (backend.ScratchLock)
        {
            bool[]? nonZeroRows = null;
            if (knownNonZeroRows is not null)
            {
                nonZeroRows = backend.ScratchMask();
                Array.Clear(nonZeroRows);
                foreach (int row in knownNonZeroRows)
                {
                    nonZeroRows[row] = true;
                }
            }

            // Ping-pong: odd powers in the first buffer, even powers in the second.
            var (first, second) = backend.Scratch(input.dtype, input.numel());
            var previous = input;
            for (int k = 1; k < layerWeights.Length; k++)
            {
                var current = k % 2 == 1 ? first : second;
                CsrKernel.Multiply(adjacency.Partition, Floats<T>(previous, input), Floats<T>(current, input), dim,
                    Floats<T>(sum, input), T.CreateTruncating(layerWeights[k]), k == 1 ? nonZeroRows : default);
                previous = current;
            }
        }
    }

    /// <summary>The first <c>numel(like)</c> elements of <paramref name="tensor"/>'s memory.</summary>
    private static Span<T> Floats<T>(Tensor tensor, Tensor like)
        where T : unmanaged => Floats<T>(tensor, checked((int)like.numel()));

    /// <summary>The first <paramref name="length"/> elements of <paramref name="tensor"/>'s memory.</summary>
    private static Span<T> Floats<T>(Tensor tensor, int length)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(tensor.bytes)[..length];

    /// <summary><c>Y = Â X</c> with the kernel, outside autograd, into a new tensor.</summary>
    internal static Tensor MultiplyWithKernel(NormalizedAdjacency adjacency, Tensor dense)
    {
        using var scope = NewDisposeScope();
        var input = dense.contiguous();
        var output = empty_like(input);
        int dim = (int)input.shape[1];
        if (input.dtype == ScalarType.Float32)
        {
            CsrKernel.Multiply(adjacency.Partition, Floats<float>(input, input), Floats<float>(output, input), dim);
        }
        else
        {
            CsrKernel.Multiply(adjacency.Partition, Floats<double>(input, input), Floats<double>(output, input), dim);
        }

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The autograd function: forward rows of <c>P X</c>, backward <c>P</c> of the gradient scattered onto its rows.</summary>
    private sealed class RowPropagationFunction : autograd.SingleTensorFunction<RowPropagationFunction>
    {
        private const string BackendKey = "backend";
        private const string WeightsKey = "weights";
        private const string NodesKey = "nodes";
        private const string RowsKey = "rows";

        public override string Name => "GraphRecLightGcnRowPropagation";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var backend = (CsrKernelBackend)vars[1];
            var weights = (float[])vars[2];
            var nodes = (int[])vars[3];
            var batch = backend.IndexBatch(nodes);
            int[] distinct = batch.Distinct;
            ctx.save_data(BackendKey, backend);
            ctx.save_data(WeightsKey, weights);
            ctx.save_data(NodesKey, nodes);
            ctx.save_data(RowsKey, distinct);
            using var scope = NewDisposeScope();
            var perRow = PropagateRowsWithKernel(backend, (Tensor)vars[0], weights, distinct);
            return perRow.index_select(0, tensor(batch.Positions).to_type(ScalarType.Int64)).MoveToOuterDisposeScope();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var backend = (CsrKernelBackend)ctx.get_data(BackendKey);
            var nodes = (int[])ctx.get_data(NodesKey);
            using var scope = NewDisposeScope();
            var full = zeros([backend.Adjacency.NodeCount, grad_output.shape[1]], grad_output.dtype);
            full.IndexAddInPlace(0, tensor(nodes).to_type(ScalarType.Int64), grad_output);

            // TorchSharp wraps the incoming gradient in a tensor that nothing disposes; left to the finalizer, its memory
            // stays until a full collection (the working set crept up from epoch to epoch). It is not used again.
            grad_output.Dispose();
            var gradient = PropagateWithKernel(backend, full, (float[])ctx.get_data(WeightsKey), (int[])ctx.get_data(RowsKey));
            return [gradient.MoveToOuterDisposeScope(), null!, null!, null!];
        }
    }

    /// <summary>The autograd function: forward <c>Â X</c>, backward <c>Â dY</c> (Â is symmetric).</summary>
    private sealed class CsrProductFunction : autograd.SingleTensorFunction<CsrProductFunction>
    {
        private const string AdjacencyKey = "adjacency";

        public override string Name => "GraphRecCsrProduct";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var adjacency = (NormalizedAdjacency)vars[1];
            ctx.save_data(AdjacencyKey, adjacency);
            return MultiplyWithKernel(adjacency, (Tensor)vars[0]);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var adjacency = (NormalizedAdjacency)ctx.get_data(AdjacencyKey);
            return [MultiplyWithKernel(adjacency, grad_output), null!];
        }
    }
}
