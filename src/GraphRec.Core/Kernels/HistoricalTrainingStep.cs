using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// A training batch on historical layers (GNNAutoScale, Fey et al., ICML 2021; LTGNN, Zhang et al., WWW 2024), for
/// <see cref="LightGcnOptions.HistoryRefreshesPerEpoch"/>: it costs what the batch's nodes and a fixed sample of their
/// neighbours cost, not the whole graph, so that an epoch grows linearly with the interactions. At each refresh, E(0) is
/// kept as the anchor Ē and propagated whole, without gradient, into P; a batch's node v then has, with
/// <c>N_s(v)</c> all of v's neighbours when it has at most s = <see cref="FirstHopSample"/> (c_v = 1), else s of them
/// drawn uniformly with replacement (c_v = deg(v) / s),
/// <code>
///   P     = Σ_{k=1..K} α_k Â^k Ē                                       the propagated layers at the refresh
///   F_v   = α_0 E(0)_v + P_v + α_1 c_v Σ_{u∈N_s(v)} Â_vu (E(0)_u − Ē_u)  for each node v of the batch S (users, positives, negatives)
///   G = ∂L/∂F,   G₀ = ∂L/∂E(0)                                         the loss at the rows F and E(0) (BPR's weight decay on E(0))
///   ∂L/∂E(0)_v += α_0 G_v + G₀_v,   ∂L/∂E(0)_u += α_1 c_v Â_uv G_v       for u ∈ N_s(v)      (P and Ē take no gradient)
/// </code>
/// then Adam on the rows the gradient touched, S ∪ N_s(S), only (<see cref="FusedAdam.StepRows"/>). The first hop is
/// LTGNN's variance-reduced one: its expectation over the sample is α_1 (Â E(0))_v + Σ_{k≥2} α_k (Â^k Ē)_v, the first
/// layer on the current parameters and the deeper ones from the refresh; it is exact where v has at most s neighbours,
/// and its variance shrinks as E(0) stays near Ē. With a fresh refresh (Ē = E(0)) F is
/// <see cref="LightGcnModel.PropagateNodes"/>'s rows. A batch costs <c>O(|S| · s · dim)</c> whatever the graph; a
/// refresh <c>K · nnz(Â) · dim</c>, made n times per epoch (at its first batch and every ⌈batches / n⌉ batches after),
/// so an epoch costs <c>O(interactions)</c>. The samples are drawn from the model's seed, the epoch and the batch, and
/// each epoch starts with a refresh, so a run resumed from a checkpoint continues exactly as the uninterrupted one.
/// The embeddings stay in node order.
/// </summary>
/// <remarks>
/// The whole first hop (every neighbour, no sample) was measured first: on Gowalla-shaped graphs a batch's nodes,
/// drawn by interaction, are mostly hubs, whose neighbourhoods grow with the graph (degrees with Pareto tails of index
/// about 2), so a batch touched most of the graph and the epoch was no faster than exact training. A batch reads its
/// rows from tables of the graph's size, so on large graphs it waits on memory: each sampled neighbour's drift
/// E(0)_u − Ē_u is computed once per row rather than once per edge, and the sampled edges are copied out of Â in
/// parallel (owned because measured: a batch at 20 M and 50 M interactions about a fifth shorter, the same bits).
/// </remarks>
internal sealed class HistoricalTrainingStep : ITrainingStep
{
    /// <summary>s, the neighbours a batch node's first hop samples (all of them when it has no more).</summary>
    public const int FirstHopSample = 16;

    // Below these a batch's pieces run on one thread: the work is smaller than handing it out.
    private const int MinimumNodesPerChunk = 256, MinimumEdgesPerThread = 4096;

    // How far ahead the sequential passes ask for the per-node entries they are about to read (<c>_slots</c>, Â's row
    // pointers): on large graphs those are scattered over arrays of the graph's size.
    private const int SlotLookahead = 16;

    private readonly LightGcnModel _model;
    private readonly CsrKernelBackend _backend;
    private readonly FusedAdam _adam;
    private readonly float _alpha0;
    private readonly float _alpha1;

    // α with α_0 zeroed: the refresh's propagation gives P. Null without layers (then F = α_0 E(0)).
    private readonly float[]? _propagatedWeights;
    private readonly int _refreshesPerEpoch;
    private readonly int _dim;
    private readonly int _seed;
    private readonly ParallelOptions _parallel;

    // Per node: its index among the batch's touched rows, plus one (zero: not touched); all zeros between batches.
    private readonly int[] _slots;
    private Tensor? _anchor;
    private Tensor? _propagated;
    private int _epoch;
    private int _refreshEvery = 1;
    private int _batchInEpoch;
    private int[] _touched = [];
    private int _touchedCount;
    private int[] _positions = [];
    private int[] _sampleStarts = [];
    private int[] _sampledEdges = [];
    private int[] _sampledNeighbours = [];
    private float[] _sampledWeights = [];
    private int[] _edgeTargets = [];
    private bool[] _distinctTargeted = [];
    private float[] _drifts = [];
    private float[] _sampleScales = [];
    private float[] _final = [];
    private readonly GatheredRows _gathered = new();
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
        if (weights.Length > 1)
        {
            _propagatedWeights = [0, .. weights[1..]];
        }

        _refreshesPerEpoch = refreshesPerEpoch;
        _dim = (int)model.Embedding.shape[1];
        _seed = model.Options.Seed;
        _slots = new int[model.Adjacency.NodeCount];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, model.Adjacency.MaxDegreeOfParallelism) };
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
    public void BeginEpoch(int epoch, int batches)
    {
        _epoch = epoch;
        _refreshEvery = Math.Max(1, (batches + _refreshesPerEpoch - 1) / _refreshesPerEpoch);
        _batchInEpoch = 0;
    }

    /// <inheritdoc />
    public double Run(ILoss loss, int[] nodes, int length)
    {
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
        _anchor?.Dispose();
        _propagated?.Dispose();
        _adam.Dispose();
    }

    private double Step(ILoss loss, int[] nodes, int length)
    {
        if (_batchInEpoch % _refreshEvery == 0)
        {
            Refresh();
        }

        int batch = _batchInEpoch++;
        int dim = _dim;
        int distinctCount = IndexBatch(nodes);
        ReadOnlySpan<float> embedding = MemoryMarshal.Cast<byte, float>(_model.Embedding.bytes);

        // Without layers F = α_0 E(0): no first hop to sample. Each batch's generator is its own, so skipping it
        // changes no other batch's sample.
        if (_propagated is not null)
        {
            SampleNeighbours(distinctCount, new Random(unchecked((_seed * 1_000_003) + (_epoch * 65_537) + batch)));
            IndexNeighbours(distinctCount);
            ComputeDrifts(embedding, distinctCount);
        }

        ScratchBuffers.Grow(ref _final, distinctCount * dim);
        var final = _final.AsSpan(0, distinctCount * dim);
        Forward(embedding, distinctCount, final);

        double value = _gathered.Loss(loss, final, _positions, embedding, nodes, length, dim);
        Backpropagate(nodes, distinctCount);
        _adam.StepRows(_touched.AsSpan(0, _touchedCount), _touchedGradients.AsSpan(0, _touchedCount * dim), dim);
        return value;
    }

    /// <summary>Ē = E(0) and P from it: one whole propagation, without gradient.</summary>
    private void Refresh()
    {
        if (_propagatedWeights is null)
        {
            return;
        }

        _anchor?.Dispose();
        _propagated?.Dispose();
        using var noGrad = no_grad();
        var embedding = _model.Embedding.detach();
        _anchor = embedding.clone().DetachFromDisposeScope();
        _propagated = SparseProduct.PropagateWithKernel(_backend, embedding, _propagatedWeights).DetachFromDisposeScope();
    }

    /// <summary>
    /// The batch's distinct nodes, in order of first appearance, into the first places of <c>_touched</c> (their slots
    /// marked), and each gathered row's place among them into <c>_positions</c>; returns how many there are.
    /// </summary>
    private int IndexBatch(int[] nodes)
    {
        ScratchBuffers.Grow(ref _positions, nodes.Length);
        ScratchBuffers.Grow(ref _touched, nodes.Length);
        int count = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            if (i + SlotLookahead < nodes.Length)
            {
                CsrKernel.PrefetchRow<int>(_slots, nodes[i + SlotLookahead], 1);
            }

            int node = nodes[i];
            if (_slots[node] == 0)
            {
                _touched[count] = node;
                _slots[node] = _touchedCount = ++count;
            }

            _positions[i] = _slots[node] - 1;
        }

        return count;
    }

    /// <summary>
    /// N_s(v) of each distinct node, its neighbours u and their Â_vu (<c>_sampledNeighbours</c> and <c>_sampledWeights</c> from
    /// <c>_sampleStarts[d]</c>), and c_v. The edges are drawn in order on one thread (the generator's sequence decides
    /// the sample), then their columns and values are copied out of Â's arrays in parallel: a hub's sampled edges are
    /// scattered over a row of thousands, each one a miss, and the passes after this one read the copies in order.
    /// </summary>
    private void SampleNeighbours(int distinctCount, Random random)
    {
        int[] rowPointers = _backend.Adjacency.RowPointers;
        ScratchBuffers.Grow(ref _sampleStarts, distinctCount + 1);
        ScratchBuffers.Grow(ref _sampleScales, distinctCount);
        ScratchBuffers.Reserve(ref _sampledEdges, distinctCount * FirstHopSample);
        int count = 0;
        for (int d = 0; d < distinctCount; d++)
        {
            if (d + SlotLookahead < distinctCount)
            {
                CsrKernel.PrefetchRow<int>(rowPointers, _touched[d + SlotLookahead], 1);
            }

            _sampleStarts[d] = count;
            int first = rowPointers[_touched[d]], degree = rowPointers[_touched[d] + 1] - first;
            if (degree <= FirstHopSample)
            {
                for (int e = 0; e < degree; e++)
                {
                    _sampledEdges[count++] = first + e;
                }

                _sampleScales[d] = 1;
            }
            else
            {
                for (int j = 0; j < FirstHopSample; j++)
                {
                    _sampledEdges[count++] = first + random.Next(degree);
                }

                _sampleScales[d] = (float)degree / FirstHopSample;
            }
        }

        _sampleStarts[distinctCount] = count;
        ScratchBuffers.Reserve(ref _sampledNeighbours, count);
        ScratchBuffers.Reserve(ref _sampledWeights, count);
        int[] columns = _backend.Adjacency.Columns;
        float[] values = _backend.Adjacency.Values;
        ForEachChunk(count, (start, end) =>
        {
            for (int j = start; j < end; j++)
            {
                if (j + CsrKernel.RowLookahead < end)
                {
                    int ahead = _sampledEdges[j + CsrKernel.RowLookahead];
                    CsrKernel.PrefetchRow<int>(columns, ahead, 1);
                    CsrKernel.PrefetchRow<float>(values, ahead, 1);
                }

                _sampledNeighbours[j] = columns[_sampledEdges[j]];
                _sampledWeights[j] = values[_sampledEdges[j]];
            }
        });
    }

    /// <summary>
    /// The sampled neighbours' rows among the touched ones, in order of first reach after the distinct nodes
    /// (<c>_touched</c>, <c>_touchedCount</c>), and each sampled edge's row there (<c>_edgeTargets</c>); integers only,
    /// on one thread, so the order is the same whatever the threads; and which distinct nodes are themselves reached
    /// (<c>_distinctTargeted</c>).
    /// </summary>
    private void IndexNeighbours(int distinctCount)
    {
        int edges = _sampleStarts[distinctCount];
        ScratchBuffers.Reserve(ref _edgeTargets, edges);
        ScratchBuffers.Reserve(ref _distinctTargeted, distinctCount);
        _distinctTargeted.AsSpan(0, distinctCount).Clear();
        int touched = distinctCount;
        for (int j = 0; j < edges; j++)
        {
            if (j + SlotLookahead < edges)
            {
                CsrKernel.PrefetchRow<int>(_slots, _sampledNeighbours[j + SlotLookahead], 1);
            }

            int neighbour = _sampledNeighbours[j];
            if (_slots[neighbour] == 0)
            {
                ScratchBuffers.Grow(ref _touched, touched + 1);
                _touched[touched] = neighbour;
                _slots[neighbour] = _touchedCount = ++touched;
            }

            int target = _slots[neighbour] - 1;
            _edgeTargets[j] = target;
            if (target < distinctCount)
            {
                _distinctTargeted[target] = true;
            }
        }
    }

    /// <summary>
    /// E(0)_u − Ē_u of every sampled neighbour u, once per row however many edges reach it, at its touched row in
    /// <c>_drifts</c>, in parallel over <c>_touched</c>'s order: the two tables are read once per row rather than once
    /// per edge. A batch node's row is written only when some sampled edge reaches it (<c>_distinctTargeted</c>); the
    /// others are left as they were, and nothing reads them.
    /// </summary>
    private unsafe void ComputeDrifts(ReadOnlySpan<float> embedding, int distinctCount)
    {
        int dim = _dim, touched = _touchedCount;
        ScratchBuffers.Reserve(ref _drifts, touched * dim);
        ReadOnlySpan<float> anchor = MemoryMarshal.Cast<byte, float>(_anchor!.bytes);
        int embeddingLength = embedding.Length;
        fixed (float* e = embedding, a = anchor)
        {
            nint ep = (nint)e, ap = (nint)a;
            ForEachChunk(touched, (start, end) =>
            {
                var embeddingRows = new ReadOnlySpan<float>((float*)ep, embeddingLength);
                var anchorRows = new ReadOnlySpan<float>((float*)ap, embeddingLength);
                for (int t = start; t < end; t++)
                {
                    if (t + CsrKernel.RowLookahead < end)
                    {
                        CsrKernel.PrefetchRow(embeddingRows, _touched[t + CsrKernel.RowLookahead], dim);
                        CsrKernel.PrefetchRow(anchorRows, _touched[t + CsrKernel.RowLookahead], dim);
                    }

                    if (t >= distinctCount || _distinctTargeted[t])
                    {
                        int node = _touched[t];
                        TensorPrimitives.Subtract(embeddingRows.Slice(node * dim, dim), anchorRows.Slice(node * dim, dim), _drifts.AsSpan(t * dim, dim));
                    }
                }
            });
        }
    }

    /// <summary>F of each distinct node (the class summary) into <paramref name="final"/>, nodes in parallel.</summary>
    private unsafe void Forward(ReadOnlySpan<float> embedding, int distinctCount, Span<float> final)
    {
        ReadOnlySpan<float> propagated = _propagated is null ? default : MemoryMarshal.Cast<byte, float>(_propagated.bytes);
        int embeddingLength = embedding.Length, finalLength = final.Length;
        bool layered = !propagated.IsEmpty;
        fixed (float* e = embedding, p = propagated, f = final)
        {
            nint ep = (nint)e, pp = (nint)p, fp = (nint)f;
            ForEachChunk(distinctCount, (start, end) => ForwardNodes(
                new ReadOnlySpan<float>((float*)ep, embeddingLength),
                layered ? new ReadOnlySpan<float>((float*)pp, embeddingLength) : default,
                new Span<float>((float*)fp, finalLength),
                start,
                end));
        }
    }

    private void ForwardNodes(ReadOnlySpan<float> embedding, ReadOnlySpan<float> propagated, Span<float> final, int start, int end)
    {
        int dim = _dim;
        ReadOnlySpan<float> drifts = _drifts;
        for (int d = start; d < end; d++)
        {
            int node = _touched[d];
            var row = final.Slice(d * dim, dim);
            TensorPrimitives.Multiply(embedding.Slice(node * dim, dim), _alpha0, row);
            if (propagated.IsEmpty)
            {
                continue;
            }

            TensorPrimitives.Add(row, propagated.Slice(node * dim, dim), row);
            float scale = _alpha1 * _sampleScales[d];
            for (int j = _sampleStarts[d]; j < _sampleStarts[d + 1]; j++)
            {
                TensorPrimitives.MultiplyAdd(drifts.Slice(_edgeTargets[j] * dim, dim), scale * _sampledWeights[j], row, row);
            }
        }
    }

    /// <summary>
    /// ∂L/∂E(0) on the touched rows (the class summary), in <c>_touched</c>'s order: the distinct nodes' first, then
    /// their sampled neighbours' (<see cref="IndexNeighbours"/>).
    /// </summary>
    private void Backpropagate(int[] nodes, int distinctCount)
    {
        int dim = _dim;

        // G_v summed over the rows of v, then α_0 G_v + G₀_v as each distinct node's own gradient.
        ScratchBuffers.Grow(ref _distinctGradients, distinctCount * dim);
        ScratchBuffers.Grow(ref _touchedGradients, distinctCount * dim);
        var perNode = _distinctGradients.AsSpan(0, distinctCount * dim);
        var own = _touchedGradients.AsSpan(0, distinctCount * dim);
        perNode.Clear();
        own.Clear();
        for (int i = 0; i < nodes.Length; i++)
        {
            int at = _positions[i] * dim;
            TensorPrimitives.Add(perNode.Slice(at, dim), _gathered.RowGradients.Slice(i * dim, dim), perNode.Slice(at, dim));
            TensorPrimitives.Add(own.Slice(at, dim), _gathered.Layer0Gradients.Slice(i * dim, dim), own.Slice(at, dim));
        }

        TensorPrimitives.MultiplyAdd(perNode, _alpha0, own, own);
        if (_propagated is null)
        {
            return;
        }

        // Each thread owns the rows whose place is its own modulo the threads and adds to them in the order a single
        // thread would, so the sums are the same bits whatever the threads.
        int edges = _sampleStarts[distinctCount], touched = _touchedCount;
        ScratchBuffers.Grow(ref _touchedGradients, touched * dim);
        _touchedGradients.AsSpan(distinctCount * dim, (touched - distinctCount) * dim).Clear();
        int owners = Math.Min(_parallel.MaxDegreeOfParallelism, Math.Max(1, edges / MinimumEdgesPerThread));
        Parallel.For(0, owners, _parallel, owner =>
        {
            for (int d = 0; d < distinctCount; d++)
            {
                var gradient = _distinctGradients.AsSpan(d * dim, dim);
                float scale = _alpha1 * _sampleScales[d];
                for (int j = _sampleStarts[d]; j < _sampleStarts[d + 1]; j++)
                {
                    int target = _edgeTargets[j];
                    if (target % owners == owner)
                    {
                        var row = _touchedGradients.AsSpan(target * dim, dim);
                        TensorPrimitives.MultiplyAdd(gradient, scale * _sampledWeights[j], row, row);
                    }
                }
            }
        });
    }

    /// <summary>Runs <paramref name="body"/> over <c>[0, count)</c> in chunks, in parallel.</summary>
    private void ForEachChunk(int count, Action<int, int> body)
    {
        int chunks = Math.Max(1, Math.Min(4 * _parallel.MaxDegreeOfParallelism, count / MinimumNodesPerChunk));
        Parallel.For(0, chunks, _parallel, chunk => body((int)((long)count * chunk / chunks), (int)((long)count * (chunk + 1) / chunks)));
    }
}
