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
internal static class FullRankingEvaluator
{
    /// <summary>Evaluates <paramref name="scorer"/> on <paramref name="heldOut"/>, excluding <paramref name="exclude"/>.</summary>
    /// <param name="scorer">What ranks the items.</param>
    /// <param name="heldOut">The interactions to find: each user with any is ranked.</param>
    /// <param name="exclude">Interactions never ranked for their user: train, and validation when evaluating test.</param>
    /// <param name="cutoffs">The cut-offs K, all positive. Default 10 and 20.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions do not match the scorer's items or each other, or a cut-off is below 1.</exception>
    public static RankingEvaluation Evaluate(
        IScorer scorer, Interactions heldOut, IReadOnlyList<Interactions> exclude, IReadOnlyList<int>? cutoffs = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(exclude);
        cutoffs ??= [10, 20];
        if (cutoffs.Count == 0 || cutoffs.Any(k => k <= 0))
        {
            throw new ArgumentException($"Give at least one cut-off K, all positive; got [{string.Join(", ", cutoffs)}].", nameof(cutoffs));
        }

        CheckShapes(scorer, heldOut, exclude);
        var builder = new RankingEvaluationBuilder(cutoffs, scorer.ItemCount);
        int k = Math.Min(builder.MaxK, scorer.ItemCount);
        var users = Enumerable.Range(0, heldOut.UserCount).Where(u => heldOut.CountOf(u) > 0).ToArray();
        builder.AddExcludedCount(heldOut.UserCount - users.Length);
        int batchSize = UserBatchSize(scorer.ItemCount);
        for (int start = 0; start < users.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = users.AsSpan(start, Math.Min(batchSize, users.Length - start));
            int[] ranked = TopK(scorer, batch, exclude, k);
            for (int b = 0; b < batch.Length; b++)
            {
                var row = ranked.AsSpan(b * k, k);
                int length = row.IndexOf(-1);
                builder.Add(batch[b], length < 0 ? row : row[..length], heldOut.ItemsOf(batch[b]));
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Users scored at once: as many as fit in 16 MiB of scores (at least 1, at most 4096), which bounds memory and keeps
    /// the score buffer in the allocator's reusable heap instead of fresh pages for every batch, which cost a large share
    /// of a Gowalla evaluation (gowalla benchmark).
    /// </summary>
    internal static int UserBatchSize(int itemCount) => Math.Clamp((16 << 20) / (4 * Math.Max(itemCount, 1)), 1, 4096);

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
    internal static int[] TopK(IScorer scorer, ReadOnlySpan<int> users, IReadOnlyList<Interactions> exclude, int k, float[]? topScores)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(exclude);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        using var scope = NewDisposeScope();
        var scores = scorer.Score(users).to(CPU).to_type(ScalarType.Float32).contiguous();
        int itemCount = scorer.ItemCount;
        if (scores.shape.Length != 2 || scores.shape[0] != users.Length || scores.shape[1] != itemCount)
        {
            throw new InvalidOperationException(
                $"The scorer returned scores of shape [{string.Join(", ", scores.shape)}] for {users.Length} users and {itemCount} items.");
        }

        var result = new int[users.Length * k];
        int[] userArray = users.ToArray();
        unsafe
        {
            fixed (float* first = MemoryMarshal.Cast<byte, float>(scores.bytes))
            {
                var all = (nint)first;
                Parallel.For(0, userArray.Length, b =>
                {
                    var row = new Span<float>((float*)all + ((long)b * itemCount), itemCount);
                    foreach (var set in exclude)
                    {
                        if (userArray[b] < set.UserCount)
                        {
                            foreach (int item in set.ItemsOf(userArray[b]))
                            {
                                row[item] = float.NegativeInfinity;
                            }
                        }
                    }

                    TopKSelection.Select(row, result.AsSpan(b * k, k), topScores is null ? default : topScores.AsSpan(b * k, k));
                });
            }
        }

        return result;
    }
}
