using System.Runtime.InteropServices;
using GraphRec.Data;
using GraphRec.Metrics;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// What every GraphRec recommender does the same way over its scorer: top-K recommendations with original ids and
/// metadata for known users and for visitors, similar items, popular items, and the new-user evaluation.
/// Thread-safe for concurrent reads.
/// </summary>
internal sealed class CatalogRecommender
{
    private readonly IRowScorer _scorer;
    private readonly Lazy<(int[] Order, int[] Counts)> _popular;

    /// <summary>Users scored at once when recommending for many: bounds memory to this many rows of scores.</summary>
    private const int UserBatchSize = 256;

    /// <summary>Creates a recommender over <paramref name="scorer"/>, which it uses but does not own.</summary>
    /// <exception cref="ArgumentException">The catalogue's items are not the scorer's.</exception>
    public CatalogRecommender(IRowScorer scorer, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.Items.Count != scorer.ItemCount || catalog.Train.ItemCount != scorer.ItemCount || catalog.Train.UserCount != catalog.Users.Count)
        {
            throw new ArgumentException(
                $"The catalogue has {catalog.Users.Count} users and {catalog.Items.Count} items; the scorer ranks {scorer.ItemCount}.", nameof(catalog));
        }

        _scorer = scorer;
        Catalog = catalog;
        _popular = new Lazy<(int[] Order, int[] Counts)>(() => MostPopularOrder(catalog.Train));
    }

    /// <summary>Ids, training interactions and metadata.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>The scorer recommendations come from.</summary>
    public IScorer Scorer => _scorer;

    /// <summary>
    /// Recommendations for many users, by id as given, in the order given, scored in batches of <see cref="UserBatchSize"/>; never a
    /// training item. A user without training interactions (in the dataset, but only in its held-out parts) gets the
    /// popular items, marked <see cref="Recommendation.IsPopularFallback"/>: the model learnt nothing about it, and its
    /// scores would be those of an untrained embedding (LightGCN) or all equal (GF-CF).
    /// </summary>
    /// <exception cref="UnknownIdException">A user is not in the model.</exception>
    public IReadOnlyList<IReadOnlyList<Recommendation>> Recommend(IReadOnlyList<string> userIds, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var result = new IReadOnlyList<Recommendation>[userIds.Count];
        var positions = new List<int>(userIds.Count);
        var indices = new List<int>(userIds.Count);
        IReadOnlyList<Recommendation>? popular = null;
        for (int p = 0; p < userIds.Count; p++)
        {
            int index = Catalog.Users.TryGetIndex(userIds[p], out int found) ? found : throw new UnknownIdException("user", userIds[p], Catalog.DatasetName);
            if (Catalog.Train.CountOf(index) == 0)
            {
                result[p] = popular ??= PopularItems(count);
            }
            else
            {
                positions.Add(p);
                indices.Add(index);
            }
        }

        int k = Math.Min(count, Catalog.Items.Count);
        for (int start = 0; start < indices.Count; start += UserBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = CollectionsMarshal.AsSpan(indices).Slice(start, Math.Min(UserBatchSize, indices.Count - start));
            float[] scores = new float[batch.Length * k];
            int[] top = FullRankingEvaluator.TopK(_scorer, batch, [Catalog.Train], k, scores, cancellationToken: cancellationToken);
            for (int b = 0; b < batch.Length; b++)
            {
                result[positions[start + b]] = ToRecommendations(top.AsSpan(b * k, k), scores.AsSpan(b * k, k));
            }
        }

        return result;
    }

    /// <summary>Recommendations for a visitor who brings only <paramref name="itemIds"/> (ids as given); never one of them.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model.</exception>
    public NewUserRecommendations RecommendForItems(IReadOnlyList<string> itemIds, int count)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (itemIds.Count == 0)
        {
            throw new ArgumentException("Give at least one item id the visitor interacted with (for a visitor without any, use PopularItems).", nameof(itemIds));
        }

        var known = new SortedSet<int>();
        var unknown = new List<string>();
        foreach (string id in itemIds)
        {
            if (Catalog.Items.TryGetIndex(id, out int index))
            {
                known.Add(index);
            }
            else if (!unknown.Contains(id, StringComparer.Ordinal))
            {
                unknown.Add(id);
            }
        }

        if (known.Count == 0)
        {
            throw new KeyNotFoundException(
                $"None of the item ids {string.Join(", ", unknown.Take(10).Select(IdText.Quote))}{(unknown.Count > 10 ? ", ..." : "")} is in the model (trained on {Catalog.DatasetName}).");
        }

        int[] row = [.. known];
        using var scope = NewDisposeScope();
        using var values = _scorer.ScoreRows([row]).to(CPU).data<float>();
        float[] scores = values.ToArray();
        foreach (int item in row)
        {
            scores[item] = float.NegativeInfinity;
        }

        var top = new int[Math.Min(count, scores.Length)];
        var topScores = new float[top.Length];
        TopKSelection.Select(scores, top, topScores);
        var recommendations = ToRecommendations(top, topScores);
        return new NewUserRecommendations(recommendations, [.. row.Select(Catalog.Items.GetId)], unknown);
    }

    /// <summary>The <paramref name="count"/> items most similar to <paramref name="itemId"/> (as given) by the scorer's measure, itself excluded.</summary>
    /// <exception cref="UnknownIdException">The item is not in the model.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!Catalog.Items.TryGetIndex(itemId, out int item))
        {
            throw new UnknownIdException("item", itemId, Catalog.DatasetName);
        }

        var values = _scorer.ItemSimilarities(item);
        values[item] = float.NegativeInfinity;
        var top = new int[Math.Min(count, values.Length)];
        TopKSelection.Select(values, top);
        return [.. top.TakeWhile(i => i >= 0).Select(i => ToRecommendation(i, values[i]))];
    }

    /// <summary>The user and item ids as text, in index order, with <paramref name="dimension"/> values per row of each.</summary>
    public EmbeddingExport Export(int dimension, float[] users, float[] items) => new(Catalog.Users.Ids, Catalog.Items.Ids, dimension, users, items);

    /// <summary>The most popular training items, most interactions first, marked <see cref="Recommendation.IsPopularFallback"/>.</summary>
    public IReadOnlyList<Recommendation> PopularItems(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var (order, counts) = _popular.Value;
        return [.. order.Take(count).Select(i => ToRecommendation(i, counts[i]) with { IsPopularFallback = true })];
    }

    /// <summary>
    /// Full-catalogue evaluation of <paramref name="heldOut"/>, excluding each user's training items and its items in
    /// <paramref name="validation"/> and <paramref name="exclude"/> (<see cref="FullRankingEvaluator.Excluded"/>).
    /// </summary>
    public RankingEvaluation Evaluate(Interactions heldOut, Interactions? validation, IReadOnlyList<Interactions?>? exclude, IReadOnlyList<int> cutoffs, int? sampleUsers, int sampleSeed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var excluded = FullRankingEvaluator.Excluded(Catalog.Train, heldOut, [validation, .. exclude ?? []]);
        return FullRankingEvaluator.Evaluate(_scorer, heldOut, excluded, cutoffs, sampleUsers, sampleSeed, cancellationToken);
    }

    /// <summary>Each user of <paramref name="hidden"/> scored as a visitor with only its row of <paramref name="given"/>, which is never ranked.</summary>
    /// <exception cref="ArgumentException">The interactions are not over this model's users and items.</exception>
    public RankingEvaluation EvaluateNewUsers(Interactions given, Interactions hidden, IReadOnlyList<int> cutoffs, int? sampleUsers, int sampleSeed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(hidden);
        if (given.UserCount != hidden.UserCount)
        {
            throw new ArgumentException($"The given items are of {given.UserCount} users, the hidden ones of {hidden.UserCount}: pass both parts of one NewUserSplit.", nameof(given));
        }

        return FullRankingEvaluator.Evaluate(new VisitorScorer(_scorer, given), hidden, [given], cutoffs, sampleUsers, sampleSeed, cancellationToken);
    }

    private Recommendation[] ToRecommendations(ReadOnlySpan<int> top, ReadOnlySpan<float> scores)
    {
        var items = new List<Recommendation>(top.Length);
        for (int r = 0; r < top.Length && top[r] >= 0; r++)
        {
            items.Add(ToRecommendation(top[r], scores[r]));
        }

        return [.. items];
    }

    private Recommendation ToRecommendation(int item, float score) =>
        new(Catalog.Items.GetId(item), item, score, Catalog.GetItemInfo(item));

    private static (int[] Order, int[] Counts) MostPopularOrder(Interactions train)
    {
        var counts = train.ItemDegrees();
        // Most interactions first; ties to the lower index, as everywhere else.
        return ([.. Enumerable.Range(0, train.ItemCount).OrderByDescending(i => counts[i]).ThenBy(i => i)], counts);
    }
}
