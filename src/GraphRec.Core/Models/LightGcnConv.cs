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
    private readonly NormalizedAdjacency _adjacency;

    /// <summary>Creates a propagation step over <paramref name="adjacency"/>.</summary>
    public LightGcnConv(NormalizedAdjacency adjacency)
        : base(nameof(LightGcnConv))
    {
        _adjacency = adjacency ?? throw new ArgumentNullException(nameof(adjacency));
    }

    /// <summary>Returns <c>Â E</c> for node embeddings <paramref name="embeddings"/> of shape <c>[nodes, dim]</c>.</summary>
    public override Tensor forward(Tensor embeddings) => SparseProduct.Multiply(_adjacency, embeddings);
}
