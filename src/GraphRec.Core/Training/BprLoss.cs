using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Bayesian personalised ranking with L2 regularisation of the batch's layer-0 embeddings, as in LightGCN:
/// <code>
///   L = mean_b softplus(ŷ_uj − ŷ_ui) + λ · ½ (‖e_u⁰‖² + ‖e_i⁰‖² + ‖e_j⁰‖²) / batch_size
/// </code>
/// where ŷ_ui = e_u · e_i on the final embeddings (softplus(x) = ln(1 + eˣ) = −ln σ(−x)).
/// </summary>
public sealed class BprLoss : ILoss
{
    /// <summary>Creates the loss with weight decay λ (default 1e-4, the paper's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public BprLoss(double weightDecay = 1e-4)
    {
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay λ must be a finite number, 0 or more (the paper's is 1e-4).");
        }
        WeightDecay = weightDecay;
    }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public Tensor Compute(TripleEmbeddings batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var positive = (batch.Users * batch.Positives).sum(1);
        var negative = (batch.Users * batch.Negatives).sum(1);
        var ranking = nn.functional.softplus(negative - positive).mean();
        var l2 = 0.5 * (batch.Users0.pow(2).sum() + batch.Positives0.pow(2).sum() + batch.Negatives0.pow(2).sum()) / batch.Users.shape[0];
        return (ranking + WeightDecay * l2).MoveToOuterDisposeScope();
    }
}
