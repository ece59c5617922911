using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// A training batch on the CPU kernel: the gradient autograd computes through <see cref="LightGcnModel.PropagateRows"/>
/// and a gather of E(0), then Adam's step, over buffers kept between batches:
/// <code>
///   R = S P E(0),   R₀ = S E(0)                   the batch's rows, P = Σ α_k Â^k
///   G = ∂L/∂R,      G₀ = ∂L/∂R₀                   BprLoss by hand; any other loss by autograd on [3 · batch, dim] tensors
///   ∂L/∂E(0) = P Sᵀ G + Sᵀ G₀                      the kernel (SparseProduct.BackpropagateRows)
/// </code>
/// with Adam's step applied to each row of ∂L/∂E(0) as the last product computes it (the gradient is never stored).
/// It works in <see cref="NodeOrder.CuthillMcKee"/>'s order, for locality: the first <see cref="Run"/> moves the
/// model's embeddings into that order, <see cref="RestoreNodeOrder"/> moves them back, Adam's moments stay in it, and
/// batches and checkpoints are in node order at its edges. Every row is the same sum in the same order either way.
/// With <see cref="TrainingPrecision.BFloat16Layers"/> the powers of both passes are kept in bfloat16 between products
/// (<see cref="BFloat16Powers"/>), every sum still in float32.
/// </summary>
/// <remarks>
/// Owned because measured: the generic step's backward runs five libtorch operations over the whole
/// <c>[nodes, dim]</c> table per batch (zeros, a scatter, a product, two accumulations into the gradient), whose fresh
/// allocations fault in their pages and whose OpenMP threads keep spinning while the kernel runs. With the default loss
/// a batch here calls no libtorch operation at all. Tests check it against autograd and PyTorch's Adam
/// (<see cref="LibTorchAdam"/>) on libtorch's product, step by step.
/// </remarks>
internal sealed class KernelTrainingStep : ITrainingStep
{
    private readonly LightGcnModel _model;
    private readonly CsrKernelBackend _backend;

    // Null when the step keeps the nodes' own order; else the order, Â relabelled by it, and a backend over that.
    private readonly NodeOrder? _order;
    private readonly NormalizedAdjacency? _relabelled;
    private readonly FusedAdam _adam;
    private readonly float[] _layerWeights;
    private readonly int _dim;
    private readonly bool _powersInBFloat16;
    private bool _inSlots;
    private int[] _slotNodes = [];
    private float[] _distinctRows = [];
    private readonly GatheredRows _gathered = new();

    private KernelTrainingStep(LightGcnModel model, CsrKernelBackend backend, double learningRate, bool inLocalityOrder, TrainingPrecision precision)
    {
        _model = model;
        _powersInBFloat16 = precision == TrainingPrecision.BFloat16Layers;
        if (inLocalityOrder)
        {
            _order = NodeOrder.CuthillMcKee(model.Adjacency);
            _relabelled = model.Adjacency.Relabelled(_order);
            _backend = new CsrKernelBackend(_relabelled, backend);
        }
        else
        {
            _backend = backend;
        }

        _adam = new FusedAdam(model.Embedding, learningRate, model.Adjacency.MaxDegreeOfParallelism);
        _layerWeights = [.. model.LayerWeights];
        _dim = (int)model.Embedding.shape[1];
    }

    /// <summary>Adam's learning rate for the next steps: a schedule changes it between epochs.</summary>
    public double LearningRate
    {
        get => _adam.LearningRate;
        set => _adam.LearningRate = value;
    }

    /// <summary>The Â the step's products run over: relabelled in the locality order, or the model's own when it keeps that.</summary>
    public NormalizedAdjacency TrainingAdjacency => _relabelled ?? _model.Adjacency;

    /// <summary>
    /// Time spent so far in each phase, in <see cref="Stopwatch"/> ticks: the forward rows, the loss and its gradient,
    /// the gradient of E(0) with Adam's step applied to each row as it is computed (for the phases benchmark; three
    /// timestamps a batch cost nothing measurable).
    /// </summary>
    public long[] PhaseTicks { get; } = new long[3];

    /// <summary>
    /// The step for <paramref name="model"/> when it trains on the CPU kernel (a float32 model on the CPU); null otherwise.
    /// <paramref name="inLocalityOrder"/> false keeps the nodes' own order (for tests and benchmarks that compare the two).
    /// </summary>
    public static KernelTrainingStep? For(
        LightGcnModel model, double learningRate, bool inLocalityOrder = true, TrainingPrecision precision = TrainingPrecision.Full) =>
        AppliesTo(model) ? new KernelTrainingStep(model, (CsrKernelBackend)model.Backend, learningRate, inLocalityOrder, precision) : null;

    /// <summary>
    /// Whether <see cref="For"/> returns a step for <paramref name="model"/> (a float32 model on the CPU kernel),
    /// without building one: a step holds a relabelled copy of Â.
    /// </summary>
    public static bool AppliesTo(LightGcnModel model) => model.Backend is CsrKernelBackend && FusedAdam.Supports(model.Embedding);

    /// <summary>
    /// Runs one batch: <paramref name="nodes"/> are its users, positives and negatives as node indices, <c>[u; i; j]</c>.
    /// Until <see cref="RestoreNodeOrder"/>, the model's embeddings are in the step's order.
    /// </summary>
    /// <returns>The batch's loss, before the step.</returns>
    public double Run(ILoss loss, int[] nodes, int length)
    {
        long start = Stopwatch.GetTimestamp();
        MoveEmbeddings(toSlots: true);
        nodes = ToSlots(nodes);
        int dim = _dim;
        var batch = _backend.IndexBatch(nodes);
        int[] distinct = batch.Distinct, positions = batch.Positions;
        ScratchBuffers.Reserve(ref _distinctRows, distinct.Length * dim);
        ReadOnlySpan<float> embedding = MemoryMarshal.Cast<byte, float>(_model.Embedding.bytes);
        var distinctRows = _distinctRows.AsSpan(0, distinct.Length * dim);
        SparseProduct.PropagateDistinctRows(_backend, embedding, dim, _layerWeights, distinct, distinctRows, _powersInBFloat16);

        long forward = Stopwatch.GetTimestamp();
        double value = _gathered.Loss(loss, distinctRows, positions, embedding, nodes, length, dim);
        long backward = Stopwatch.GetTimestamp();
        SparseProduct.BackpropagateRows(_backend, _layerWeights, batch, _gathered.RowGradients, _gathered.Layer0Gradients,
            new AdamRows(_adam.BeginStep(), dim), _powersInBFloat16);
        long end = Stopwatch.GetTimestamp();
        PhaseTicks[0] += forward - start;
        PhaseTicks[1] += backward - forward;
        PhaseTicks[2] += end - backward;
        return value;
    }

    /// <summary>Moves the model's embeddings back into node order, where the rest of the library reads them.</summary>
    public void RestoreNodeOrder() => MoveEmbeddings(toSlots: false);

    /// <inheritdoc />
    public void BeginEpoch(int epoch, int batches)
    {
    }

    /// <inheritdoc />
    public void EndEpoch() => RestoreNodeOrder();

    /// <summary>Adam's moments, in node order, and its step count, for a checkpoint.</summary>
    public (float[] First, float[] Second, long Step) ExportState()
    {
        var (first, second, step) = _adam.ExportState();
        _order?.MoveToNodes(first, _dim);
        _order?.MoveToNodes(second, _dim);
        return (first, second, step);
    }

    /// <summary>Restores what <see cref="ExportState"/> returned.</summary>
    public void ImportState(float[] first, float[] second, long step)
    {
        if (_order is not null)
        {
            (first, second) = ((float[])first.Clone(), (float[])second.Clone());
            _order.MoveToSlots(first, _dim);
            _order.MoveToSlots(second, _dim);
        }

        _adam.ImportState(first, second, step);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        RestoreNodeOrder();
        _adam.Dispose();
        if (_relabelled is not null)
        {
            _backend.Dispose();
            _relabelled.Dispose();
        }
    }

    private void MoveEmbeddings(bool toSlots)
    {
        if (_inSlots == toSlots || _order is null)
        {
            return;
        }

        var embedding = MemoryMarshal.Cast<byte, float>(_model.Embedding.bytes);
        if (toSlots)
        {
            _order.MoveToSlots(embedding, _dim);
        }
        else
        {
            _order.MoveToNodes(embedding, _dim);
        }

        _inSlots = toSlots;
    }

    private int[] ToSlots(int[] nodes)
    {
        if (_order is null)
        {
            return nodes;
        }

        // Reused between batches (all but an epoch's last have the same length): the batch is done with it when Run returns.
        if (_slotNodes.Length != nodes.Length)
        {
            _slotNodes = new int[nodes.Length];
        }

        for (int i = 0; i < nodes.Length; i++)
        {
            _slotNodes[i] = _order.SlotOf[nodes[i]];
        }

        return _slotNodes;
    }

    /// <summary>Adam's step on each row of the gradient as it arrives (each thread's rows in ascending order).</summary>
    private readonly struct AdamRows(FusedAdam.Update update, int dim) : IRowSink
    {
        public void Prefetch(int row) => update.Prefetch((long)row * dim, dim);

        public void Accept(int row, Span<float> values) => update.Apply((long)row * dim, values);

        public void Complete() => FusedAdam.Update.Complete();
    }
}
