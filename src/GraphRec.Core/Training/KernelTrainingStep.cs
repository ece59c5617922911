using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// A training batch on the CPU kernel: the gradient autograd computes through <see cref="LightGcnModel.PropagateRows"/>
/// and a gather of E(0), then Adam's step, over buffers kept between batches:
/// <code>
///   R = S P E(0),   R₀ = S E(0)                   the batch's rows, P = Σ α_k Â^k
///   G = ∂L/∂R,      G₀ = ∂L/∂R₀                   BprLoss by hand; any other loss by autograd on [3 · batch, dim] tensors
///   ∂L/∂E(0) = P Sᵀ G + Sᵀ G₀                      the kernel (SparseProduct.BackpropagateRows)
/// </code>
/// with Adam's step applied to each row of ∂L/∂E(0) as the last product computes it (the gradient is never stored).
/// </summary>
/// <remarks>
/// Owned because measured: the generic step's backward runs five libtorch operations over the whole
/// <c>[nodes, dim]</c> table per batch (zeros, a scatter, a product, two accumulations into the gradient), whose fresh
/// allocations fault in their pages and whose OpenMP threads keep spinning while the kernel runs. With the default loss
/// a batch here calls no libtorch operation at all. Tests check it against autograd and TorchSharp's Adam on libtorch's
/// product, step by step.
/// </remarks>
internal sealed class KernelTrainingStep : IDisposable
{
    private readonly LightGcnModel _model;
    private readonly CsrKernelBackend _backend;
    private readonly float[] _layerWeights;
    private readonly int _dim;
    private float[] _distinctRows = [];
    private float[] _rows = [];
    private float[] _rows0 = [];
    private float[] _rowGradients = [];
    private float[] _layer0Gradients = [];

    private KernelTrainingStep(LightGcnModel model, CsrKernelBackend backend, double learningRate)
    {
        _model = model;
        _backend = backend;
        Adam = new FusedAdam(model.Embedding, learningRate, model.Adjacency.MaxDegreeOfParallelism);
        _layerWeights = [.. model.LayerWeights];
        _dim = (int)model.Embedding.shape[1];
    }

    /// <summary>Adam over the model's embeddings: its state is what a checkpoint keeps.</summary>
    public FusedAdam Adam { get; }

    /// <summary>
    /// Time spent so far in each phase, in <see cref="Stopwatch"/> ticks: the forward rows, the loss and its gradient,
    /// the gradient of E(0) with Adam's step applied to each row as it is computed (for the phases benchmark; three
    /// timestamps a batch cost nothing measurable).
    /// </summary>
    public long[] PhaseTicks { get; } = new long[3];

    /// <summary>The step for <paramref name="model"/> when it trains on the CPU kernel (a float32 model on the CPU); null otherwise.</summary>
    public static KernelTrainingStep? For(LightGcnModel model, double learningRate) =>
        model.Backend is CsrKernelBackend backend && FusedAdam.Supports(model.Embedding)
            ? new KernelTrainingStep(model, backend, learningRate)
            : null;

    /// <summary>Runs one batch: <paramref name="nodes"/> are its users, positives and negatives as node indices, <c>[u; i; j]</c>.</summary>
    /// <returns>The batch's loss, before the step.</returns>
    public double Run(ILoss loss, int[] nodes, int length)
    {
        long start = Stopwatch.GetTimestamp();
        int dim = _dim, size = nodes.Length * dim;
        var batch = _backend.IndexBatch(nodes);
        int[] distinct = batch.Distinct, positions = batch.Positions;
        Reserve(ref _distinctRows, distinct.Length * dim);
        Reserve(ref _rows, size);
        Reserve(ref _rows0, size);
        Reserve(ref _rowGradients, size);
        Reserve(ref _layer0Gradients, size);
        ReadOnlySpan<float> embedding = MemoryMarshal.Cast<byte, float>(_model.Embedding.bytes);
        var distinctRows = _distinctRows.AsSpan(0, distinct.Length * dim);
        SparseProduct.PropagateDistinctRows(_backend, embedding, dim, _layerWeights, distinct, distinctRows);
        for (int i = 0; i < nodes.Length; i++)
        {
            CsrKernel.PrefetchAhead(embedding, nodes, i, dim);
            distinctRows.Slice(positions[i] * dim, dim).CopyTo(_rows.AsSpan(i * dim, dim));
            embedding.Slice(nodes[i] * dim, dim).CopyTo(_rows0.AsSpan(i * dim, dim));
        }

        long forward = Stopwatch.GetTimestamp();
        double value = loss is BprLoss bpr
            ? bpr.ComputeWithGradient(_rows.AsSpan(0, size), _rows0.AsSpan(0, size), length, dim, _rowGradients, _layer0Gradients)
            : ByAutograd(loss, size, length);
        long backward = Stopwatch.GetTimestamp();
        SparseProduct.BackpropagateRows(_backend, _layerWeights, batch, _rowGradients.AsSpan(0, size), _layer0Gradients.AsSpan(0, size),
            new AdamRows(Adam.BeginStep(), dim));
        long end = Stopwatch.GetTimestamp();
        PhaseTicks[0] += forward - start;
        PhaseTicks[1] += backward - forward;
        PhaseTicks[2] += end - backward;
        return value;
    }

    /// <inheritdoc />
    public void Dispose() => Adam.Dispose();

    /// <summary>Any other loss: its gradient at the rows by autograd (zero where the loss leaves rows out).</summary>
    private double ByAutograd(ILoss loss, int size, int length)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(_rows.AsSpan(0, size).ToArray(), [size / _dim, _dim]).requires_grad_();
        var rows0 = tensor(_rows0.AsSpan(0, size).ToArray(), [size / _dim, _dim]).requires_grad_();
        var final = rows.split(length);
        var layer0 = rows0.split(length);
        var value = loss.Compute(new TripleEmbeddings(final[0], final[1], final[2], layer0[0], layer0[1], layer0[2]));
        value.backward();
        CopyGradient(rows, _rowGradients.AsSpan(0, size));
        CopyGradient(rows0, _layer0Gradients.AsSpan(0, size));
        return value.item<float>();
    }

    private static void CopyGradient(Tensor leaf, Span<float> target)
    {
        if (leaf.grad is { } gradient)
        {
            MemoryMarshal.Cast<byte, float>(gradient.contiguous().bytes).CopyTo(target);
        }
        else
        {
            target.Clear();
        }
    }

    /// <summary>Adam's step on each row of the gradient as it arrives (each thread's rows in ascending order).</summary>
    private readonly struct AdamRows(FusedAdam.Update update, int dim) : IRowSink
    {
        public void Prefetch(int row) => update.Prefetch((long)row * dim, dim);

        public void Accept(int row, Span<float> values) => update.Apply((long)row * dim, values);

        public void Complete() => FusedAdam.Update.Complete();
    }

    private static void Reserve(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
