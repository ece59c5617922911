using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// The CPU backend: <see cref="CsrKernel"/> for float32 and float64 tensors as TorchSharp autograd functions
/// (<see cref="SparseProduct"/>), libtorch's product for other types. It keeps the buffers of the powers <c>Â^k X</c>
/// between batches, so that a training batch allocates none.
/// </summary>
/// <remarks>
/// Owned because measured: on Gowalla the kernel's product takes about a tenth of libtorch's COO product, forward and
/// backward (micro benchmark), and training's rows of the layer sum, with the last product for the batch's rows only,
/// shorten an epoch by about a quarter (gowalla benchmark).
/// </remarks>
internal sealed class CsrKernelBackend : PropagationBackend
{
    private readonly TorchSparseBackend _fallback;
    private readonly Buffers _buffers;
    private readonly bool _ownsBuffers;

    public CsrKernelBackend(NormalizedAdjacency adjacency)
        : base(adjacency)
    {
        _fallback = new TorchSparseBackend(adjacency);
        _buffers = new Buffers();
        _ownsBuffers = true;
    }

    /// <summary>
    /// A backend for <paramref name="adjacency"/>, a relabelled copy of <paramref name="owner"/>'s matrix (the same node
    /// count), that uses <paramref name="owner"/>'s scratch buffers and lock instead of a second set.
    /// </summary>
    public CsrKernelBackend(NormalizedAdjacency adjacency, CsrKernelBackend owner)
        : base(adjacency)
    {
        if (adjacency.NodeCount != owner.Adjacency.NodeCount)
        {
            throw new ArgumentException($"A backend over {adjacency.NodeCount} nodes cannot share the buffers of one over {owner.Adjacency.NodeCount}.", nameof(owner));
        }

        _fallback = new TorchSparseBackend(adjacency);
        _buffers = owner._buffers;
    }

    /// <summary>Held while the kernel uses the scratch buffers.</summary>
    public object ScratchLock => _buffers;

    public override Tensor Multiply(Tensor dense) =>
        SparseProduct.UsesKernel(dense) ? SparseProduct.Multiply(Adjacency, dense) : _fallback.Multiply(dense);

    public override Tensor? PropagateRows(Tensor dense, float[] layerWeights, int[] nodes) =>
        SparseProduct.UsesKernel(dense) ? SparseProduct.PropagateRowsOnCpu(this, dense, layerWeights, nodes) : null;

    /// <summary>
    /// <see cref="KernelTrainingStep"/> for a float32 model: the same step as <see cref="AutogradTrainingStep"/>, with
    /// no libtorch operation in a batch; the generic step for other types.
    /// </summary>
    public override ITrainingStep CreateTrainingStep(LightGcnModel model, double learningRate, TrainingPrecision precision) =>
        KernelTrainingStep.For(model, learningRate, precision: precision) ?? base.CreateTrainingStep(model, learningRate, precision);

    /// <summary>
    /// Two native buffers with room for at least <paramref name="length"/> elements of <paramref name="type"/> for the
    /// powers <c>Â^k X</c>, kept between calls (libtorch's allocator also gives them the page size that suits random row
    /// reads best). They are raw bytes, read through their address, so that training's bfloat16 powers and evaluation's
    /// float32 ones share the larger pair instead of replacing each other at every switch. Call under
    /// <see cref="ScratchLock"/>.
    /// </summary>
    public (Tensor First, Tensor Second) Scratch(ScalarType type, long length)
    {
        long bytes = checked(length * ElementBytes(type));
        var buffers = _buffers;
        if (buffers.First is null || buffers.First.numel() < bytes)
        {
            buffers.First?.Dispose();
            buffers.Second?.Dispose();
            buffers.First = empty(bytes, ScalarType.Byte).DetachFromDisposeScope();
            buffers.Second = empty(bytes, ScalarType.Byte).DetachFromDisposeScope();
        }

        return (buffers.First, buffers.Second!);
    }

    /// <summary>
    /// A reused float32 buffer of at least <paramref name="length"/> elements for a batch's compact rows (what it holds
    /// between calls is undefined). Call under <see cref="ScratchLock"/>.
    /// </summary>
    public float[] ScratchBatchRows(int length)
    {
        if (_buffers.BatchRows is null || _buffers.BatchRows.Length < length)
        {
            _buffers.BatchRows = new float[length];
        }

        return _buffers.BatchRows;
    }

    /// <summary>
    /// A reused slot per node that is all zeros between calls (the one <see cref="IndexBatch"/> marks in): its user
    /// writes a batch's rows' places there and clears them again. Call under <see cref="ScratchLock"/>.
    /// </summary>
    public int[] ScratchSlots() => _buffers.Slots ??= new int[Adjacency.NodeCount];

    /// <summary>Indexes a batch's gathered rows (<see cref="BatchRows.Index"/>) with a slot per node kept between batches.</summary>
    public BatchRows IndexBatch(int[] nodes)
    {
        lock (ScratchLock)
        {
            return BatchRows.Index(nodes, ScratchSlots());
        }
    }

    /// <summary>A reused flag per node for the kernel's zero-row skipping. Call under <see cref="ScratchLock"/>.</summary>
    public bool[] ScratchMask() => _buffers.Mask ??= new bool[Adjacency.NodeCount];

    private static long ElementBytes(ScalarType type) => type switch
    {
        ScalarType.BFloat16 => sizeof(ushort),
        ScalarType.Float32 => sizeof(float),
        ScalarType.Float64 => sizeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "The kernel's powers are bfloat16, float32 or float64."),
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_ownsBuffers)
            {
                _buffers.First?.Dispose();
                _buffers.Second?.Dispose();
            }

            _fallback.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>What the kernel keeps between calls; also the lock held while it uses them.</summary>
    private sealed class Buffers
    {
        public Tensor? First { get; set; }

        public Tensor? Second { get; set; }

        public bool[]? Mask { get; set; }

        public float[]? BatchRows { get; set; }

        public int[]? Slots { get; set; }
    }
}
