using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The CPU backend: <see cref="CsrKernel"/> for float32 and float64 tensors as TorchSharp autograd functions
/// (<see cref="SparseProduct"/>), libtorch's product for other types. It keeps the buffers of the powers <c>Â^k X</c>
/// between batches, so that a training batch allocates none.
/// </summary>
/// <remarks>
/// Owned because measured: on Gowalla (1.6 M non-zeros, dim 64, 2 cores) libtorch's COO product takes 77 ms forward
/// and 199 ms forward and backward, the kernel about a tenth of that; training's rows of the layer sum, with the last
/// product for the batch's rows only, took a Gowalla epoch from 31-37 s to 23-28 s.
/// </remarks>
internal sealed class CsrKernelBackend(NormalizedAdjacency adjacency) : PropagationBackend(adjacency)
{
    private readonly TorchSparseBackend _fallback = new(adjacency);
    private Tensor? _scratchFirst;
    private Tensor? _scratchSecond;
    private bool[]? _scratchMask;
    private float[]? _scratchBatchRows;
    private int[]? _scratchMarks;

    /// <summary>Held while the kernel uses the scratch buffers.</summary>
    public object ScratchLock { get; } = new();

    public override Tensor Multiply(Tensor dense) =>
        SparseProduct.UsesKernel(dense) ? SparseProduct.Multiply(Adjacency, dense) : _fallback.Multiply(dense);

    public override Tensor? PropagateRows(Tensor dense, float[] layerWeights, int[] nodes) =>
        SparseProduct.UsesKernel(dense) ? SparseProduct.PropagateRowsOnCpu(this, dense, layerWeights, nodes) : null;

    /// <summary>
    /// Two native buffers of at least <paramref name="length"/> elements of <paramref name="type"/> for the powers
    /// <c>Â^k X</c>, kept between calls (libtorch's allocator also gives them the page size that suits random row reads
    /// best). Call under <see cref="ScratchLock"/>.
    /// </summary>
    public (Tensor First, Tensor Second) Scratch(ScalarType type, long length)
    {
        if (_scratchFirst is null || _scratchFirst.dtype != type || _scratchFirst.numel() < length)
        {
            _scratchFirst?.Dispose();
            _scratchSecond?.Dispose();
            _scratchFirst = empty(length, type).DetachFromDisposeScope();
            _scratchSecond = empty(length, type).DetachFromDisposeScope();
        }

        return (_scratchFirst, _scratchSecond!);
    }

    /// <summary>
    /// A reused float32 buffer of at least <paramref name="length"/> elements for a batch's compact rows (what it holds
    /// between calls is undefined). Call under <see cref="ScratchLock"/>.
    /// </summary>
    public float[] ScratchBatchRows(int length)
    {
        if (_scratchBatchRows is null || _scratchBatchRows.Length < length)
        {
            _scratchBatchRows = new float[length];
        }

        return _scratchBatchRows;
    }

    /// <summary>
    /// A reused slot per node that is all zeros between calls (the one <see cref="IndexBatch"/> marks in): its user
    /// writes a batch's rows' places there and clears them again. Call under <see cref="ScratchLock"/>.
    /// </summary>
    public int[] ScratchSlots() => _scratchMarks ??= new int[Adjacency.NodeCount];

    /// <summary>Indexes a batch's gathered rows (<see cref="BatchRows.Index"/>) with a slot per node kept between batches.</summary>
    public BatchRows IndexBatch(int[] nodes)
    {
        lock (ScratchLock)
        {
            return BatchRows.Index(nodes, ScratchSlots());
        }
    }

    /// <summary>A reused flag per node for the kernel's zero-row skipping. Call under <see cref="ScratchLock"/>.</summary>
    public bool[] ScratchMask() => _scratchMask ??= new bool[Adjacency.NodeCount];

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scratchFirst?.Dispose();
            _scratchSecond?.Dispose();
            _fallback.Dispose();
        }

        base.Dispose(disposing);
    }
}
