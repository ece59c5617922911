using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Scorers to compare a model with, as <see cref="IScorer"/>s for <see cref="FullRankingEvaluator"/>: baselines, and the training-free graph filter.</summary>
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

    /// <summary>
    /// GF-CF (Shen et al., CIKM 2021), a training-free graph filter over the normalized interaction matrix
    /// <c>R̃ = D_U^-1/2 R D_I^-1/2</c> (LightGCN's normalization): <c>s_u = r_u R̃ᵀR̃ + α r_u D_I^-1/2 V_k V_kᵀ D_I^1/2</c>, with
    /// <c>V_k</c> the top-<paramref name="rank"/> right singular vectors of R̃ from a randomized SVD. The item x item
    /// matrix is never made. The paper's <paramref name="rank"/> is 256 and <paramref name="alpha"/> 0.3.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rank is not positive or α is not a finite number.</exception>
    public static IScorer GraphFilter(Interactions train, int rank = 256, double alpha = 0.3) => new GraphFilterScorer(train, rank, alpha);
}
