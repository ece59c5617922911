using System.Globalization;
using System.Runtime.InteropServices;
using GraphRec.Data;
using GraphRec.Metrics;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Full-catalogue top-K evaluation: for every user with held-out items, score all items, remove the items the user
/// has in the excluded sets (train, and validation when evaluating test), take the top max(K) with <see cref="TopKSelection"/>, and
/// compute the metrics of <see cref="RankingEvaluationBuilder"/>. Users are scored in batches, so the full
/// users × items score matrix is never held at once.
/// </summary>
/// <remarks>
/// With a sample size n, only n users drawn uniformly without replacement (seeded) from those with held-out items
/// are ranked, each over the full catalogue as before: every metric's mean is then an unbiased estimate of the full
/// evaluation's, and its interval (mean ± t(0.975, n − 1) · s / √n) covers the full mean in about 95% of seeds. The
/// cost falls with n; coverage is of the sample's lists only, so it is lower than the full evaluation's.
/// </remarks>
internal static class FullRankingEvaluator
{
    /// <summary>Evaluates <paramref name="scorer"/> on <paramref name="heldOut"/>, excluding <paramref name="exclude"/>.</summary>
    /// <param name="scorer">What ranks the items.</param>
    /// <param name="heldOut">The interactions to find: each user with any is ranked.</param>
    /// <param name="exclude">Interactions never ranked for their user: train, and validation when evaluating test.</param>
    /// <param name="cutoffs">The cut-offs K, all positive. Default 10 and 20.</param>
    /// <param name="sampleUsers">
    /// Rank only this many users, drawn at random from those with held-out items, and say so in
    /// <see cref="RankingEvaluation.SampledFrom"/>; all of them when null (the default) or when there are no more.
    /// </param>
    /// <param name="sampleSeed">The seed of the draw: the same seed and held-out interactions give the same users. Default 2020.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions do not match the scorer's items or each other, or a cut-off is below 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleUsers"/> is 0 or negative.</exception>
    public static RankingEvaluation Evaluate(
        IScorer scorer, Interactions heldOut, IReadOnlyList<Interactions> exclude, IReadOnlyList<int>? cutoffs = null,
        int? sampleUsers = null, int sampleSeed = DefaultSampleSeed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(exclude);
        cutoffs ??= [10, 20];
        if (cutoffs.Count == 0 || cutoffs.Any(k => k <= 0))
        {
            throw new ArgumentException($"Give at least one cut-off K, all positive; got [{string.Join(", ", cutoffs)}].", nameof(cutoffs));
        }

        RequireSampleSize(sampleUsers);
        CheckShapes(scorer, heldOut, exclude);
        var builder = new RankingEvaluationBuilder(cutoffs, scorer.ItemCount);
        int k = Math.Min(builder.MaxK, scorer.ItemCount);
        var users = Enumerable.Range(0, heldOut.UserCount).Where(u => heldOut.CountOf(u) > 0).ToArray();
        builder.AddExcludedCount(heldOut.UserCount - users.Length);
        int? sampledFrom = null;
        if (sampleUsers is int size && size < users.Length)
        {
            sampledFrom = users.Length;
            users = Sample(users, size, sampleSeed);
        }

        int batchSize = scorer.UsersPerBatch;
        using var scoreBuffer = new ScoreBuffer();
        for (int start = 0; start < users.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = users.AsSpan(start, Math.Min(batchSize, users.Length - start));
            int[] ranked = TopK(scorer, batch, exclude, k, topScores: null, scoreBuffer, cancellationToken);
            for (int b = 0; b < batch.Length; b++)
            {
                var row = ranked.AsSpan(b * k, k);
                int length = row.IndexOf(-1);
                builder.Add(batch[b], length < 0 ? row : row[..length], heldOut.ItemsOf(batch[b]));
            }
        }

        return builder.Build() with { SampledFrom = sampledFrom };
    }

    /// <summary>The seed of a user sample when none is given, as the library's other seeds.</summary>
    internal const int DefaultSampleSeed = 2020;

    /// <summary>Refuses a sample size that would rank nobody.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleUsers"/> is 0 or negative.</exception>
    internal static void RequireSampleSize(int? sampleUsers)
    {
        if (sampleUsers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleUsers), sampleUsers,
                $"A sampled evaluation ranks a positive number of users; got {sampleUsers}. Pass null (the default) to evaluate every user with held-out items.");
        }
    }

    /// <summary>
    /// <paramref name="size"/> of <paramref name="users"/> drawn uniformly without replacement (a seeded shuffle, the
    /// first <paramref name="size"/> kept), ascending as a full evaluation lists them, so two models evaluated with the
    /// same seed are ranked on the same users and can be compared user by user.
    /// </summary>
    private static int[] Sample(int[] users, int size, int seed)
    {
        var shuffled = (int[])users.Clone();
        RandomStreams.Create(seed, UserSampleStream).Shuffle(shuffled);
        var sample = shuffled[..size];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>The stream of the user sample under its seed, apart from the splitters' and samplers' streams.</summary>
    private const int UserSampleStream = -53;

    /// <summary>
    /// Users scored at once: as many as fit in 16 MiB of scores (at least 1, at most 4096), which bounds memory and keeps
    /// the score buffer in the allocator's reusable heap instead of fresh pages for every batch, which cost a large share
    /// of a Gowalla evaluation (gowalla benchmark).
    /// </summary>
    internal static int UserBatchSize(int itemCount) => Math.Clamp(ScoreBufferFloats / Math.Max(itemCount, 1), 1, 4096);

    /// <summary>
    /// Users a scorer that scores blocks of items (<see cref="IScorer.ItemsPerCall"/>) ranks at once, at the least:
    /// enough that each block of item embeddings is read once for many users rather than once per user.
    /// </summary>
    internal const int BlockedUsersPerBatch = 256;

    /// <summary>Items per call that keep the scores of <paramref name="users"/> users within the 16 MiB buffer (at least 1).</summary>
    internal static int ItemsPerBuffer(int users) => Math.Max(1, ScoreBufferFloats / Math.Max(users, 1));

    /// <summary>The score buffer of one call, in floats: 16 MiB.</summary>
    private const int ScoreBufferFloats = (16 << 20) / sizeof(float);

    /// <summary>
    /// What an evaluation of <paramref name="heldOut"/> leaves out of the rankings: <paramref name="train"/>, then each
    /// of <paramref name="parts"/> once, skipping null parts (a split without validation has none) and
    /// <paramref name="heldOut"/> itself (the same instance), which is what is being looked for.
    /// </summary>
    public static IReadOnlyList<Interactions> Excluded(Interactions train, Interactions heldOut, IEnumerable<Interactions?> parts)
    {
        var excluded = new List<Interactions> { train };
        foreach (var part in parts)
        {
            if (part is not null && !ReferenceEquals(part, heldOut) && !excluded.Any(kept => ReferenceEquals(kept, part)))
            {
                excluded.Add(part);
            }
        }

        return excluded;
    }

    private static void CheckShapes(IScorer scorer, Interactions heldOut, IReadOnlyList<Interactions> exclude)
    {
        if (scorer.ItemCount <= 0)
        {
            throw new ArgumentException("The scorer ranks no items: there is nothing to evaluate.", nameof(scorer));
        }

        if (heldOut.ItemCount != scorer.ItemCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The held-out interactions have {heldOut.ItemCount} items, the scorer ranks {scorer.ItemCount}: evaluate on a split of the data the model was trained on."), nameof(heldOut));
        }

        foreach (var set in exclude)
        {
            if (set.ItemCount != heldOut.ItemCount || set.UserCount != heldOut.UserCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"An excluded set is {set.UserCount} users x {set.ItemCount} items, the held-out interactions {heldOut.UserCount} x {heldOut.ItemCount}: exclude parts of the same split."), nameof(exclude));
            }
        }
    }

    /// <summary>
    /// The top <paramref name="k"/> items per user, best first, as a row-major <c>[users, k]</c> array, never an item in
    /// <paramref name="exclude"/> for that user. Where fewer than k items remain (or score above negative infinity),
    /// the row ends with -1. Ties go to the lower item index, so the result is deterministic.
    /// </summary>
    public static int[] TopK(IScorer scorer, ReadOnlySpan<int> users, IReadOnlyList<Interactions> exclude, int k) =>
        TopK(scorer, users, exclude, k, topScores: null);

    /// <summary>As <see cref="TopK(IScorer, ReadOnlySpan{int}, IReadOnlyList{Interactions}, int)"/>, also filling <paramref name="topScores"/> (row-major, NaN where unfilled) when given.</summary>
    /// <remarks>
    /// The items are scored in calls of <see cref="IScorer.ItemsPerCall"/> (all of them for most scorers), each call's
    /// excluded items set to negative infinity and its scores offered to every user's selection in item order, so a
    /// blocked top-K is the same as one over whole rows, ties included. Every call writes its scores into
    /// <paramref name="scoreBuffer"/> (<see cref="IScorer.ScoreInto"/>), or into one buffer for this top-K when none is given.
    /// </remarks>
    /// <exception cref="ArgumentException">An excluded set has other items than the scorer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked between blocks of items).</exception>
    internal static int[] TopK(
        IScorer scorer, ReadOnlySpan<int> users, IReadOnlyList<Interactions> exclude, int k, float[]? topScores, ScoreBuffer? scoreBuffer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(exclude);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int itemCount = scorer.ItemCount;
        foreach (var set in exclude)
        {
            if (set.ItemCount != itemCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"An excluded set has {set.ItemCount} items, the scorer ranks {itemCount}: exclude interactions of the data the model was trained on."), nameof(exclude));
            }
        }

        int itemsPerCall = Math.Max(1, Math.Min(scorer.ItemsPerCall(users.Length), itemCount));
        using var ownBuffer = scoreBuffer is null ? new ScoreBuffer() : null;
        var buffer = scoreBuffer ?? ownBuffer!;
        var result = new int[users.Length * k];
        var best = topScores ?? new float[users.Length * k];
        var counts = new int[users.Length];
        int[] userArray = users.ToArray();
        for (int firstItem = 0; firstItem < itemCount; firstItem += itemsPerCall)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int width = Math.Min(itemsPerCall, itemCount - firstItem);
            using var scope = NewDisposeScope();
            var scores = buffer.Scores(users.Length, width);
            scorer.ScoreInto(users, firstItem, width, scores);

            // Whole rows of a scorer that does not score blocks can pass 2 GiB, beyond what a span can address.
            nint all = Kernels.SparseProduct.Address(scores);
            int blockStart = firstItem;
            Parallel.For(0, userArray.Length, b =>
            {
                Span<float> row;
                unsafe
                {
                    row = new Span<float>((float*)all + ((long)b * width), width);
                }

                foreach (var set in exclude)
                {
                    if (userArray[b] < set.UserCount)
                    {
                        var excluded = set.ItemsOf(userArray[b]);
                        int at = excluded.BinarySearch(blockStart);
                        for (at = at < 0 ? ~at : at; at < excluded.Length && excluded[at] < blockStart + width; at++)
                        {
                            row[excluded[at] - blockStart] = float.NegativeInfinity;
                        }
                    }
                }

                TopKSelection.Offer(row, blockStart, best.AsSpan(b * k, k), result.AsSpan(b * k, k), ref counts[b]);
            });
        }

        for (int b = 0; b < userArray.Length; b++)
        {
            TopKSelection.Finish(best.AsSpan(b * k, k), result.AsSpan(b * k, k), counts[b]);
        }

        return result;
    }
}
