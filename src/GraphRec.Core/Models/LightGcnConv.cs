using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// One LightGCN propagation step (He et al., SIGIR 2020, eq. 3 in matrix form):
/// <code>
///   E(k+1) = Â E(k),        Â = D^-1/2 A D^-1/2
/// </code>
/// a sparse–dense product with the normalized adjacency: no weight matrix, no non-linearity, no self-loop.
/// </summary>
public sealed class LightGcnConv : nn.Module<Tensor, Tensor>
{
    private readonly PropagationBackend _backend;
    private readonly bool _ownsBackend;
    private bool _disposed;

    /// <summary>Creates a propagation step over <paramref name="adjacency"/>, on its device.</summary>
    public LightGcnConv(NormalizedAdjacency adjacency)
        : this(PropagationBackend.For(adjacency ?? throw new ArgumentNullException(nameof(adjacency))), ownsBackend: true)
    {
    }

    /// <summary>A step whose product is <paramref name="backend"/>'s (shared with the model that owns it).</summary>
    internal LightGcnConv(PropagationBackend backend, bool ownsBackend)
        : base(nameof(LightGcnConv))
    {
        _backend = backend;
        _ownsBackend = ownsBackend;
    }

    /// <summary>Returns <c>Â E</c> for node embeddings <paramref name="embeddings"/> of shape <c>[nodes, dim]</c>.</summary>
    /// <remarks>On the CPU the product is GraphRec's CSR kernel, elsewhere libtorch's sparse product; both are tested against each other.</remarks>
    /// <exception cref="ObjectDisposedException">The step was disposed.</exception>
    public override Tensor forward(Tensor embeddings)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _backend.Multiply(embeddings);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed |= disposing;
        if (disposing && _ownsBackend)
        {
            _backend.Dispose();
        }

        base.Dispose(disposing);
    }
}
