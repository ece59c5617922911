using GraphRec.Data;
using GraphRec.Metrics;
using static TorchSharp.torch;

namespace GraphRec.Core.Evaluation;

/// <summary>Options of <see cref="FullRankingEvaluator"/>.</summary>
public sealed record FullRankingOptions
{
    /// <summary>The cut-offs K. Default 10 and 20.</summary>
    public IReadOnlyList<int> Cutoffs { get; init; } = [10, 20];

    /// <summary>Users scored at once: bounds memory to <c>UserBatchSize × items</c> scores. Default 1024.</summary>
    public int UserBatchSize { get; init; } = 1024;
}

/// <summary>
/// Full-catalogue top-K evaluation: for every user with held-out items, score all items, remove the items the user
/// has in the excluded sets (train, and validation when evaluating test), take the top max(K) with <c>topk</c>, and
/// compute the metrics of <see cref="RankingEvaluationBuilder"/>. Users are scored in batches, so the full
/// users × items score matrix is never held at once.
/// </summary>
public static class FullRankingEvaluator
{
    /// <summary>Evaluates <paramref name="scorer"/> on <paramref name="heldOut"/>, excluding <paramref name="exclude"/>.</summary>
    public static RankingEvaluation Evaluate(
        IScorer scorer, Interactions heldOut, IReadOnlyList<Interactions> exclude, FullRankingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(exclude);
        options ??= new FullRankingOptions();
        var builder = new RankingEvaluationBuilder(options.Cutoffs, scorer.ItemCount);
        int k = Math.Min(builder.MaxK, scorer.ItemCount);
        var users = Enumerable.Range(0, heldOut.UserCount).Where(u => heldOut.CountOf(u) > 0).ToArray();
        builder.AddExcludedCount(heldOut.UserCount - users.Length);
        for (int start = 0; start < users.Length; start += options.UserBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = users.AsSpan(start, Math.Min(options.UserBatchSize, users.Length - start));
            int[] ranked = TopK(scorer, batch, exclude, k);
            for (int b = 0; b < batch.Length; b++)
            {
                builder.Add(batch[b], ranked.AsSpan(b * k, k), heldOut.ItemsOf(batch[b]));
            }
        }

        return builder.Build();
    }

    /// <summary>The top <paramref name="k"/> items per user (row-major <c>[users, k]</c>), excluded items removed.</summary>
    public static int[] TopK(IScorer scorer, ReadOnlySpan<int> users, IReadOnlyList<Interactions> exclude, int k)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(exclude);
        using var scope = NewDisposeScope();
        var scores = scorer.Score(users).to(CPU).contiguous();
        var flat = new List<long>();
        for (int b = 0; b < users.Length; b++)
        {
            foreach (var set in exclude)
            {
                foreach (int item in set.ItemsOf(users[b]))
                {
                    flat.Add((long)b * scorer.ItemCount + item);
                }
            }
        }

        if (flat.Count > 0)
        {
            scores.view(-1).index_fill_(0, tensor(flat.ToArray()), float.NegativeInfinity);
        }

        var (_, indices) = scores.topk(k, dim: 1, largest: true, sorted: true);
        return indices.to_type(ScalarType.Int32).data<int>().ToArray();
    }
}
