using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Scorers to compare a model with, as <see cref="IScorer"/>s for <see cref="FullRankingEvaluator"/> (the graph filter is a model of its own: <see cref="GraphFilter"/>).</summary>
public static class Baselines
{
    /// <summary>The largest users × items matrix <see cref="PureSvd"/> accepts (50 million cells, 400 MB of doubles).</summary>
    public const long PureSvdMaxCells = PureSvdScorer.MaxCells;

    /// <summary>Every item scored by its number of training interactions, the same for every user.</summary>
    public static IScorer MostPopular(Interactions train) => new MostPopularScorer(train);

    /// <summary>
    /// PureSVD (Cremonesi et al., RecSys 2010): the rank-<paramref name="rank"/> truncated SVD of the binary users × items
    /// training matrix, <c>R ≈ U Σ Vᵀ</c>; a user's scores are its row projected on the top item factors, <c>r_u V Vᵀ</c>.
    /// A dense SVD (MathNet.Numerics): fine at MovieLens 100K and 1M size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix has more than <see cref="PureSvdMaxCells"/> cells.</exception>
    public static IScorer PureSvd(Interactions train, int rank = 64) => new PureSvdScorer(train, rank);
}
