using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Serves a trained LightGCN model: <see cref="CatalogRecommender"/> over its final embeddings (propagated once, when
/// the recommender is created), plus what only embeddings give: the export and raw scores. Thread-safe for concurrent reads.
/// </summary>
internal sealed class LightGcnRecommender : IDisposable
{
    private readonly LightGcnScorer _scorer;

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
        _scorer = new LightGcnScorer(model);
        Core = new CatalogRecommender(_scorer, catalog);
    }

    /// <summary>The model served.</summary>
    public LightGcnModel Model { get; }

    /// <summary>Recommendations, similar and popular items by original id.</summary>
    public CatalogRecommender Core { get; }

    /// <summary>Ids, training interactions and metadata.</summary>
    public ModelCatalog Catalog => Core.Catalog;

    /// <summary>Scores over the final embeddings this recommender serves from, for <see cref="FullRankingEvaluator"/>.</summary>
    public IScorer Scorer => _scorer;

    /// <summary>The top <paramref name="count"/> items for <paramref name="userId"/> (as given), never a training item.</summary>
    /// <exception cref="UnknownIdException">The user is not in the model.</exception>
    public IReadOnlyList<Recommendation> Recommend(string userId, int count = 10) => Core.Recommend([userId], count)[0];

    /// <summary>The <paramref name="count"/> items nearest to <paramref name="itemId"/> (as given) by cosine of the final embeddings, itself excluded.</summary>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count = 10) => Core.SimilarItems(itemId, count);

    /// <summary>The most popular training items, most interactions first.</summary>
    public IReadOnlyList<Recommendation> PopularItems(int count = 10) => Core.PopularItems(count);

    /// <summary>Copies the final user and item embeddings into plain arrays.</summary>
    public EmbeddingExport ExportEmbeddings()
    {
        using var scope = NewDisposeScope();
        return Core.Export((int)_scorer.UserEmbeddings.shape[1], ToArray(_scorer.UserEmbeddings), ToArray(_scorer.ItemEmbeddings));
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
    public void Dispose() => _scorer.Dispose();

    /// <summary>A tensor's values in row-major order, on the CPU, as a new array.</summary>
    private static float[] ToArray(Tensor tensor)
    {
        using var values = tensor.to(CPU).data<float>();
        return values.ToArray();
    }
}
