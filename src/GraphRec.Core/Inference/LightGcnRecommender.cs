using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Serves a trained LightGCN model: top-K recommendations with original ids and metadata, similar items by cosine,
/// and the final embeddings as plain arrays. The embeddings are propagated once, when the recommender is created.
/// Thread-safe for concurrent reads.
/// </summary>
internal sealed class LightGcnRecommender : IDisposable
{
    private readonly LightGcnScorer _scorer;
    private readonly Lazy<(int[] Order, int[] Counts)> _popular;
    private readonly Lazy<Tensor> _normalizedItems;

    /// <summary>Users scored at once when recommending for many: bounds memory to this many rows of scores.</summary>
    private const int UserBatchSize = 256;

    /// <summary>Creates a recommender for <paramref name="model"/>, which it uses but does not own.</summary>
    /// <exception cref="ArgumentException">The catalogue's sizes are not the model's.</exception>
    public LightGcnRecommender(LightGcnModel model, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.Users.Count != model.UserCount || catalog.Items.Count != model.ItemCount)
        {
            throw new ArgumentException(
                $"The catalogue has {catalog.Users.Count} users and {catalog.Items.Count} items; the model {model.UserCount} and {model.ItemCount}.", nameof(catalog));
        }

        Model = model;
        Catalog = catalog;
        _scorer = new LightGcnScorer(model);
        _popular = new Lazy<(int[] Order, int[] Counts)>(() => MostPopularOrder(catalog.Train));
        _normalizedItems = new Lazy<Tensor>(() =>
        {
            using var scope = NewDisposeScope();
            return nn.functional.normalize(_scorer.ItemEmbeddings, p: 2, dim: 1).DetachFromDisposeScope();
        });
    }

    /// <summary>The model served.</summary>
    public LightGcnModel Model { get; }

    /// <summary>Ids, training interactions and metadata.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>Scores over the final embeddings this recommender serves from, for <see cref="FullRankingEvaluator"/>.</summary>
    public IScorer Scorer => _scorer;

    /// <summary>
    /// The top <paramref name="count"/> items for <paramref name="userId"/>, never one the user interacted with in
    /// training or in any of <paramref name="alsoExclude"/> (for example the validation split).
    /// </summary>
    /// <exception cref="UnknownIdException">The user is not in the model.</exception>
    public IReadOnlyList<Recommendation> Recommend(long userId, int count = 10, IReadOnlyList<Interactions>? alsoExclude = null) =>
        Recommend([userId], count, alsoExclude)[0];

    /// <summary>Recommendations for many users, in the order given, scored in batches of <see cref="UserBatchSize"/>.</summary>
    /// <exception cref="UnknownIdException">A user is not in the model.</exception>
    public IReadOnlyList<IReadOnlyList<Recommendation>> Recommend(
        IReadOnlyList<long> userIds, int count = 10, IReadOnlyList<Interactions>? alsoExclude = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var known = new List<(int Position, int Index)>();
        var result = new IReadOnlyList<Recommendation>[userIds.Count];
        for (int p = 0; p < userIds.Count; p++)
        {
            if (Catalog.Users.TryGetIndex(userIds[p], out int index))
            {
                known.Add((p, index));
            }
            else
            {
                throw new UnknownIdException("user", userIds[p], Catalog.DatasetName);
            }
        }

        IReadOnlyList<Interactions> exclude = [Catalog.Train, .. alsoExclude ?? []];
        int k = Math.Min(count, Model.ItemCount);
        for (int start = 0; start < known.Count; start += UserBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = known.GetRange(start, Math.Min(UserBatchSize, known.Count - start));
            int[] indices = [.. batch.Select(b => b.Index)];
            float[] scores = new float[indices.Length * k];
            int[] top = FullRankingEvaluator.TopK(_scorer, indices, exclude, k, scores);
            for (int b = 0; b < batch.Count; b++)
            {
                var items = new List<Recommendation>(k);
                for (int r = 0; r < k && top[(b * k) + r] >= 0; r++)
                {
                    items.Add(ToRecommendation(top[(b * k) + r], scores[(b * k) + r]));
                }

                result[batch[b].Position] = items;
            }
        }

        return result;
    }

    /// <summary>The <paramref name="count"/> items nearest to <paramref name="itemId"/> by cosine of the final embeddings, itself excluded.</summary>
    /// <exception cref="UnknownIdException">The item is not in the model.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(long itemId, int count = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!Catalog.Items.TryGetIndex(itemId, out int item))
        {
            throw new UnknownIdException("item", itemId, Catalog.DatasetName);
        }

        using var scope = NewDisposeScope();
        var normalized = _normalizedItems.Value;
        var values = ToArray(normalized.mv(normalized[item]));
        values[item] = float.NegativeInfinity;
        var top = new int[Math.Min(count, Model.ItemCount)];
        TopKSelection.Select(values, top);
        return [.. top.TakeWhile(i => i >= 0).Select(i => ToRecommendation(i, values[i]))];
    }

    /// <summary>The most popular training items, most interactions first.</summary>
    public IReadOnlyList<Recommendation> PopularItems(int count = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var (order, counts) = _popular.Value;
        return [.. order.Take(count).Select(i => ToRecommendation(i, counts[i]))];
    }

    /// <summary>Copies the final user and item embeddings into plain arrays.</summary>
    public EmbeddingExport ExportEmbeddings()
    {
        using var scope = NewDisposeScope();
        return new EmbeddingExport(Catalog.Users.OriginalIds, Catalog.Items.OriginalIds, (int)_scorer.UserEmbeddings.shape[1],
            ToArray(_scorer.UserEmbeddings), ToArray(_scorer.ItemEmbeddings));
    }

    /// <summary>Scores <c>ŷ_ui = e_u · e_i</c> of user index <paramref name="user"/> against every item, by item index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a user of the model.</exception>
    public float[] ScoreAll(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, Model.UserCount);
        using var scope = NewDisposeScope();
        return ToArray(_scorer.Score([user]));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _scorer.Dispose();
        if (_normalizedItems.IsValueCreated)
        {
            _normalizedItems.Value.Dispose();
        }
    }

    /// <summary>A tensor's values in row-major order, on the CPU, as a new array.</summary>
    private static float[] ToArray(Tensor tensor)
    {
        using var values = tensor.to(CPU).data<float>();
        return values.ToArray();
    }

    private Recommendation ToRecommendation(int item, float score) =>
        new(Catalog.Items.GetOriginalId(item), item, score, Catalog.GetItemInfo(item));

    private static (int[] Order, int[] Counts) MostPopularOrder(Interactions train)
    {
        var counts = train.ItemDegrees();
        // Most interactions first; ties to the lower index, as everywhere else.
        return ([.. Enumerable.Range(0, train.ItemCount).OrderByDescending(i => counts[i]).ThenBy(i => i)], counts);
    }
}
