using System.Diagnostics.CodeAnalysis;
using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Scorers to compare a model with, as <see cref="IScorer"/>s for <see cref="FullRankingEvaluator"/> (the graph filters are models of their own: <see cref="SpectralFilter"/>).</summary>
public static class Baselines
{
    /// <summary>
    /// The most doubles <see cref="PureSvd"/>'s dense SVD may hold (100 million, 800 MB): for u users and i items it holds
    /// <c>2·u·i + u² + i²</c> (the matrix and its working copy, the left and the right singular vectors).
    /// </summary>
    public const long PureSvdMaxDoubles = PureSvdScorer.MaxDoubles;

    /// <summary>Every item scored by its number of training interactions, the same for every user.</summary>
    public static IScorer MostPopular(Interactions train) => new MostPopularScorer(train);

    /// <summary>
    /// PureSVD (Cremonesi et al., RecSys 2010): the rank-<paramref name="rank"/> truncated SVD of the binary users × items
    /// training matrix, <c>R ≈ U Σ Vᵀ</c>; a user's scores are its row projected on the top item factors, <c>r_u V Vᵀ</c>.
    /// A dense SVD (MathNet.Numerics): fine at MovieLens 100K and 1M size; <see cref="CanRunPureSvd"/> says beforehand
    /// whether it fits.
    /// </summary>
    /// <exception cref="InvalidOperationException">The SVD would hold more than <see cref="PureSvdMaxDoubles"/> doubles.</exception>
    public static IScorer PureSvd(Interactions train, int rank = 64) => new PureSvdScorer(train, rank);

    /// <summary>Whether <see cref="PureSvd"/> fits <paramref name="train"/> within <see cref="PureSvdMaxDoubles"/>; when not, why, in one sentence.</summary>
    public static bool CanRunPureSvd(Interactions train, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(train);
        reason = PureSvdScorer.Refusal(train.UserCount, train.ItemCount);
        return reason is null;
    }
}
