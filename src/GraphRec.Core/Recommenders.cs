using System.Diagnostics.CodeAnalysis;
using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core;

/// <summary>
/// Loads a saved model whatever its kind, for code that serves any (a service, the sample's <c>recommend</c>), and
/// evaluates the baselines to compare a model with: each fitted to the training interactions and evaluated as a
/// model's <see cref="IRecommender.Evaluate"/> is, every item ranked for each user with held-out items except those it
/// has in train and in <c>exclude</c>. Compare the results with <see cref="RankingEvaluation.CompareWith"/>.
/// </summary>
public static class Recommenders
{
    /// <summary>Loads the model saved at <paramref name="path"/>: a <see cref="LightGcn"/> or a <see cref="SpectralFilter"/> (of kind <c>spectral</c> or <c>gf-cf</c>), as the file records.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is of another version, damaged or forged.</exception>
    public static async Task<IRecommender> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        await ModelFile.LoadAnyAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false) switch
        {
            LoadedModel model => LightGcn.FromFile(model),
            LoadedSpectralFilter filter => SpectralFilter.FromFile(filter),
            var other => throw new InvalidOperationException($"A model file read as {other.GetType().Name}, which no recommender serves."),
        };

    /// <summary>
    /// The most doubles <see cref="EvaluatePureSvd"/>'s dense SVD may hold (100 million, 800 MB): for u users and i items it holds
    /// <c>2·u·i + u² + i²</c> (the matrix and its working copy, the left and the right singular vectors).
    /// </summary>
    public const long PureSvdMaxDoubles = PureSvdScorer.MaxDoubles;

    /// <summary>Evaluates MostPopular on <paramref name="heldOut"/>: every item scored by its number of training interactions, the same for every user.</summary>
    /// <param name="train">The training interactions: the counts, and excluded from every ranking.</param>
    /// <param name="heldOut">The interactions to find (a split's test part, or new users' hidden items).</param>
    /// <param name="exclude">More interactions never ranked for their user: a split's validation part when evaluating its test part, new users' given items. Null parts and the <paramref name="heldOut"/> instance itself are skipped.</param>
    /// <param name="cutoffs">The cut-offs K, all positive. Default 10 and 20.</param>
    /// <param name="sampleUsers">Rank only this many users, drawn with <paramref name="sampleSeed"/> from those with held-out items (the same users as a recommender's <c>Evaluate</c> with the same arguments, so the two pair); null (the default) ranks them all.</param>
    /// <param name="sampleSeed">The seed of the sample.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions are not over the same users and items, or a cut-off is below 1.</exception>
    public static RankingEvaluation EvaluateMostPopular(
        Interactions train, Interactions heldOut, IReadOnlyList<Interactions?>? exclude = null, IReadOnlyList<int>? cutoffs = null,
        int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Evaluate(new MostPopularScorer(train), train, heldOut, exclude, cutoffs, sampleUsers, sampleSeed, cancellationToken);
    }

    /// <summary>
    /// Evaluates PureSVD (Cremonesi et al., RecSys 2010) on <paramref name="heldOut"/>: the rank-<paramref name="rank"/>
    /// truncated SVD of the binary users × items training matrix, <c>R ≈ U Σ Vᵀ</c>; a user's scores are its row
    /// projected on the top item factors, <c>r_u V Vᵀ</c>. A dense SVD (MathNet.Numerics): fine at MovieLens 100K and 1M
    /// size; <see cref="CanRunPureSvd"/> says beforehand whether it fits.
    /// </summary>
    /// <param name="train">The training interactions: the matrix factorized, and excluded from every ranking.</param>
    /// <param name="heldOut">The interactions to find.</param>
    /// <param name="rank">The rank of the truncated SVD. Default 64.</param>
    /// <param name="exclude">More interactions never ranked for their user (a split's validation part when evaluating its test part). Null parts and the <paramref name="heldOut"/> instance itself are skipped.</param>
    /// <param name="cutoffs">The cut-offs K, all positive. Default 10 and 20.</param>
    /// <param name="sampleUsers">Rank only this many users, drawn with <paramref name="sampleSeed"/> from those with held-out items (the same users as a recommender's <c>Evaluate</c> with the same arguments, so the two pair); null (the default) ranks them all.</param>
    /// <param name="sampleSeed">The seed of the sample.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="InvalidOperationException">The SVD would hold more than <see cref="PureSvdMaxDoubles"/> doubles.</exception>
    /// <exception cref="ArgumentException">The interactions are not over the same users and items, or a cut-off is below 1.</exception>
    public static RankingEvaluation EvaluatePureSvd(
        Interactions train, Interactions heldOut, int rank = 64, IReadOnlyList<Interactions?>? exclude = null, IReadOnlyList<int>? cutoffs = null,
        int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Evaluate(new PureSvdScorer(train, rank), train, heldOut, exclude, cutoffs, sampleUsers, sampleSeed, cancellationToken);
    }

    /// <summary>Whether <see cref="EvaluatePureSvd"/> fits <paramref name="train"/> within <see cref="PureSvdMaxDoubles"/>; when not, why, in one sentence.</summary>
    public static bool CanRunPureSvd(Interactions train, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(train);
        reason = PureSvdScorer.Refusal(train.UserCount, train.ItemCount);
        return reason is null;
    }

    private static RankingEvaluation Evaluate(
        IScorer scorer, Interactions train, Interactions heldOut, IReadOnlyList<Interactions?>? exclude, IReadOnlyList<int>? cutoffs,
        int? sampleUsers, int sampleSeed, CancellationToken cancellationToken) =>
        FullRankingEvaluator.Evaluate(scorer, heldOut, FullRankingEvaluator.Excluded(train, heldOut, exclude ?? []), cutoffs, sampleUsers, sampleSeed, cancellationToken);
}
