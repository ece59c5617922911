using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// A training batch on historical layers (GNNAutoScale, Fey et al., ICML 2021; LTGNN, Zhang et al., WWW 2024), for
/// <see cref="LightGcnOptions.HistoryRefreshesPerEpoch"/>: its cost is what the batch's nodes and their neighbours cost,
/// not the whole graph's, so that an epoch grows linearly with the interactions.
/// <code>
///   H     = Σ_{k=2..K} α_k Â^k E(0)               the deep layers, propagated whole without gradient at each refresh
///   F_v   = α_0 E(0)_v + α_1 Σ_{u∈N(v)} Â_vu E(0)_u + H_v        for each node v of the batch S (users, positives, negatives)
///   G = ∂L/∂F,   G₀ = ∂L/∂E(0)                    the loss at the batch's rows F and E(0) (BPR's weight decay on E(0))
///   ∂L/∂E(0)_v += α_0 G_v + G₀_v,   ∂L/∂E(0)_u += α_1 Â_uv G_v  for u ∈ N(v)     (H takes no gradient)
/// </code>
/// then Adam on the rows the gradient touched, S ∪ N(S), only (<see cref="FusedAdam.StepRows"/>). With H refreshed at
/// every batch, F is <see cref="LightGcnModel.PropagateNodes"/>'s rows; the gradient leaves out the paths through
/// layers 2..K. A batch costs <c>Σ_{v∈S} deg(v) · dim</c> twice (the first hop and its gradient), a refresh
/// <c>K · nnz(Â) · dim</c>; with a fixed number of refreshes per epoch (at its first batch and every
/// ⌈batches / n⌉ batches after), an epoch costs <c>O(interactions)</c>. Each epoch starts with a refresh, so a run
/// resumed from a checkpoint after an epoch continues exactly as the uninterrupted one. The embeddings stay in node order.
/// </summary>
internal sealed class HistoricalTrainingStep : ITrainingStep
{
    private readonly LightGcnModel _model;
    private readonly CsrKernelBackend _backend;
    private readonly FusedAdam _adam;
    private readonly float _alpha0;
    private readonly float _alpha1;

    // α with the first two layers zeroed: the refresh's propagation gives H alone. Null with fewer than two layers (no history).
    private readonly float[]? _deepWeights;
    private readonly int _refreshesPerEpoch;
    private readonly int _dim;

    // Per node: its index among the batch's touched rows, plus one (zero: not touched); all zeros between batches.
    private readonly int[] _slots;
    private Tensor? _history;
    private int _refreshEvery = 1;
    private int _batchInEpoch;
    private int[] _touched = [];
    private int _touchedCount;
    private int[] _positions = [];
    private float[] _hop = [];
    private float[] _rows = [];
    private float[] _rows0 = [];
    private float[] _rowGradients = [];
    private float[] _layer0Gradients = [];
    private float[] _distinctGradients = [];
    private float[] _touchedGradients = [];

    private HistoricalTrainingStep(LightGcnModel model, CsrKernelBackend backend, double learningRate, int refreshesPerEpoch)
    {
        _model = model;
        _backend = backend;
        _adam = new FusedAdam(model.Embedding, learningRate, model.Adjacency.MaxDegreeOfParallelism);
        float[] weights = [.. model.LayerWeights];
        _alpha0 = weights[0];
        _alpha1 = weights.Length > 1 ? weights[1] : 0;
        if (weights.Length > 2)
        {
            _deepWeights = [0, 0, .. weights[2..]];
        }

        _refreshesPerEpoch = refreshesPerEpoch;
        _dim = (int)model.Embedding.shape[1];
        _slots = new int[model.Adjacency.NodeCount];
    }

    /// <inheritdoc />
    public double LearningRate
    {
        get => _adam.LearningRate;
        set => _adam.LearningRate = value;
    }

    /// <summary>The step for <paramref name="model"/> when it trains on the CPU kernel (a float32 model on the CPU); null otherwise.</summary>
    public static HistoricalTrainingStep? For(LightGcnModel model, double learningRate, int refreshesPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(refreshesPerEpoch);
        return KernelTrainingStep.AppliesTo(model) ? new HistoricalTrainingStep(model, (CsrKernelBackend)model.Backend, learningRate, refreshesPerEpoch) : null;
    }

    /// <inheritdoc />
    public void BeginEpoch(int batches)
    {
        _refreshEvery = Math.Max(1, (batches + _refreshesPerEpoch - 1) / _refreshesPerEpoch);
        _batchInEpoch = 0;
    }

    /// <inheritdoc />
    public double Run(ILoss loss, int[] nodes, int length)
    {
        if (_batchInEpoch++ % _refreshEvery == 0)
        {
            Refresh();
        }

        try
        {
            return Step(loss, nodes, length);
        }
        finally
        {
            // The slots are all zeros again for the next batch, whatever happened in this one.
            foreach (int node in _touched.AsSpan(0, _touchedCount))
            {
                _slots[node] = 0;
            }

            _touchedCount = 0;
        }
    }

    private double Step(ILoss loss, int[] nodes, int length)
    {
        int dim = _dim;
        int distinctCount = IndexBatch(nodes);
        ReadOnlySpan<float> embedding = MemoryMarshal.Cast<byte, float>(_model.Embedding.bytes);
        Span<float> history = _history is null ? default : MemoryMarshal.Cast<byte, float>(_history.bytes);

        // F for each distinct node: α_0 E(0)_v + α_1 (Â E(0))_v + H_v.
        var distinct = _touched.AsSpan(0, distinctCount);
        Reserve(ref _hop, distinctCount * dim);
        var hop = _hop.AsSpan(0, distinctCount * dim);
        if (_alpha1 != 0)
        {
            CsrKernel.MultiplySelected(_backend.Adjacency.Partition, distinct, embedding, hop, dim);
            TensorPrimitives.Multiply(hop, _alpha1, hop);
        }
        else
        {
            hop.Clear();
        }

        for (int d = 0; d < distinctCount; d++)
        {
            var row = hop.Slice(d * dim, dim);
            TensorPrimitives.MultiplyAdd(embedding.Slice(distinct[d] * dim, dim), _alpha0, row, row);
            if (!history.IsEmpty)
            {
                TensorPrimitives.Add(row, history.Slice(distinct[d] * dim, dim), row);
            }
        }

        int size = nodes.Length * dim;
        Reserve(ref _rows, size);
        Reserve(ref _rows0, size);
        Reserve(ref _rowGradients, size);
        Reserve(ref _layer0Gradients, size);
        for (int i = 0; i < nodes.Length; i++)
        {
            hop.Slice(_positions[i] * dim, dim).CopyTo(_rows.AsSpan(i * dim, dim));
            embedding.Slice(nodes[i] * dim, dim).CopyTo(_rows0.AsSpan(i * dim, dim));
        }

        double value = RowLoss.ComputeWithGradient(loss, _rows.AsSpan(0, size), _rows0.AsSpan(0, size), length, dim, _rowGradients, _layer0Gradients);
        Backpropagate(nodes, distinctCount);
        _adam.StepRows(_touched.AsSpan(0, _touchedCount), _touchedGradients.AsSpan(0, _touchedCount * dim), dim);
        return value;
    }

    /// <inheritdoc />
    public void EndEpoch()
    {
    }

    /// <inheritdoc />
    public (float[] First, float[] Second, long Step) ExportState() => _adam.ExportState();

    /// <inheritdoc />
    public void ImportState(float[] first, float[] second, long step) => _adam.ImportState(first, second, step);

    /// <inheritdoc />
    public void Dispose()
    {
        _history?.Dispose();
        _adam.Dispose();
    }

    /// <summary>H from the current E(0): one whole propagation, without gradient.</summary>
    private void Refresh()
    {
        if (_deepWeights is null)
        {
            return;
        }

        _history?.Dispose();
        using var noGrad = no_grad();
        _history = SparseProduct.PropagateWithKernel(_backend, _model.Embedding.detach(), _deepWeights).DetachFromDisposeScope();
    }

    /// <summary>
    /// The batch's distinct nodes, in order of first appearance, into the first places of <c>_touched</c> (their slots
    /// marked), and each gathered row's place among them into <c>_positions</c>; returns how many there are.
    /// </summary>
    private int IndexBatch(int[] nodes)
    {
        Reserve(ref _positions, nodes.Length);
        Reserve(ref _touched, nodes.Length);
        int count = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            int node = nodes[i];
            if (_slots[node] == 0)
            {
                _touched[count] = node;
                _slots[node] = ++count;
                _touchedCount = count;
            }

            _positions[i] = _slots[node] - 1;
        }

        return count;
    }

    /// <summary>
    /// ∂L/∂E(0) on the touched rows (the class summary): the distinct nodes' first, then their neighbours', appended to
    /// <c>_touched</c> as they are reached (<c>_touchedCount</c> of them in all).
    /// </summary>
    private void Backpropagate(int[] nodes, int distinctCount)
    {
        int dim = _dim;

        // G_v summed over the rows of v, then α_0 G_v + G₀_v as each distinct node's own gradient.
        Reserve(ref _distinctGradients, distinctCount * dim);
        Reserve(ref _touchedGradients, distinctCount * dim);
        var perNode = _distinctGradients.AsSpan(0, distinctCount * dim);
        var own = _touchedGradients.AsSpan(0, distinctCount * dim);
        perNode.Clear();
        own.Clear();
        for (int i = 0; i < nodes.Length; i++)
        {
            int at = _positions[i] * dim;
            TensorPrimitives.Add(perNode.Slice(at, dim), _rowGradients.AsSpan(i * dim, dim), perNode.Slice(at, dim));
            TensorPrimitives.Add(own.Slice(at, dim), _layer0Gradients.AsSpan(i * dim, dim), own.Slice(at, dim));
        }

        TensorPrimitives.MultiplyAdd(perNode, _alpha0, own, own);
        if (_alpha1 == 0)
        {
            return;
        }

        var adjacency = _backend.Adjacency;
        int[] rowPointers = adjacency.RowPointers, columns = adjacency.Columns;
        float[] values = adjacency.Values;
        int touched = distinctCount;
        for (int d = 0; d < distinctCount; d++)
        {
            var gradient = _distinctGradients.AsSpan(d * dim, dim);
            for (int e = rowPointers[_touched[d]], end = rowPointers[_touched[d] + 1]; e < end; e++)
            {
                int neighbour = columns[e];
                if (_slots[neighbour] == 0)
                {
                    Reserve(ref _touched, touched + 1);
                    Reserve(ref _touchedGradients, (touched + 1) * dim);
                    _touched[touched] = neighbour;
                    _slots[neighbour] = _touchedCount = ++touched;
                    _touchedGradients.AsSpan((touched - 1) * dim, dim).Clear();
                }

                var target = _touchedGradients.AsSpan((_slots[neighbour] - 1) * dim, dim);
                TensorPrimitives.MultiplyAdd(gradient, _alpha1 * values[e], target, target);
            }
        }
    }

    /// <summary>Grows <paramref name="buffer"/> to at least <paramref name="length"/>, keeping what it holds (doubling, so that growing row by row stays linear).</summary>
    private static void Reserve<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            Array.Resize(ref buffer, Math.Max(length, 2 * buffer.Length));
        }
    }
}
