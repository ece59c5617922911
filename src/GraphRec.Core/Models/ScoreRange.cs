using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>Whether embeddings can be scored without overflow: what training checks after each epoch and loading checks of a file.</summary>
internal static class ScoreRange
{
    /// <summary>
    /// Whether the squared norm of every row of <paramref name="embeddings"/> is finite: then every score
    /// |e_u · e_i| ≤ (‖e_u‖² + ‖e_i‖²) / 2 is finite too. Finite values alone are not enough: weights near 1e38 are
    /// finite, and their scores overflow to infinity, which ranks nothing.
    /// </summary>
    public static bool IsFinite(Tensor embeddings)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return embeddings.to_type(ScalarType.Float32).Squared().sum(1).isfinite().all().item<bool>();
    }

    /// <summary>Whether the final embeddings of <paramref name="model"/>, the ones that are scored, pass <see cref="IsFinite(Tensor)"/>.</summary>
    public static bool IsFinite(LightGcnModel model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return IsFinite(model.PropagateNodes());
    }
}
