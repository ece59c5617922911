using static TorchSharp.torch;

namespace GraphRec.Core.Graph;

/// <summary>The product <c>Â X</c> of the normalized adjacency with a dense matrix, differentiable in X.</summary>
public static class SparseProduct
{
    /// <summary>Returns <c>Â X</c> for <paramref name="dense"/> of shape <c>[NodeCount, dim]</c> on the adjacency's device.</summary>
    /// <exception cref="ArgumentException">The row count of <paramref name="dense"/> is not the adjacency's node count.</exception>
    public static Tensor Multiply(NormalizedAdjacency adjacency, Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.dim() != 2 || dense.shape[0] != adjacency.NodeCount)
        {
            throw new ArgumentException(
                $"Expected a [{adjacency.NodeCount}, dim] matrix to propagate, got [{string.Join(", ", dense.shape)}].", nameof(dense));
        }

        return mm(adjacency.Sparse, dense);
    }
}
