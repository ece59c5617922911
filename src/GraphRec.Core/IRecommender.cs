using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core;

/// <summary>
/// A fitted recommender, whichever its model (<see cref="LightGcn"/>, <see cref="SpectralFilter"/>): what a service or an
/// evaluation needs, by original id. <see cref="Recommenders.LoadAsync"/> loads any saved one. Thread-safe for
/// concurrent reads; dispose it, and nothing else.
/// </summary>
public interface IRecommender : IDisposable
{
    /// <summary>The model's kind as its file records it: <c>lightgcn</c> or <c>gf-cf</c>.</summary>
    string ModelKind { get; }

    /// <summary>The name of the dataset it was fitted on.</summary>
    string DatasetName { get; }

    /// <summary>Original user ids ↔ the model's user indices.</summary>
    IdMap Users { get; }

    /// <summary>Original item ids ↔ the model's item indices.</summary>
    IdMap Items { get; }

    /// <summary>The training interactions: what the model learnt from, and what recommendations leave out.</summary>
    Interactions TrainingInteractions { get; }

    /// <summary>Title, year and genres per item index, or null when the dataset has none.</summary>
    IReadOnlyList<ItemInfo?>? ItemInfo { get; }

    /// <summary>
    /// Full-catalogue evaluation of <paramref name="heldOut"/> (a split's test or validation part): for each user with
    /// held-out items, every item is ranked except those the user has in train, and in validation when evaluating another part.
    /// </summary>
    /// <param name="heldOut">The interactions to find.</param>
    /// <param name="cutoffs">The cut-offs K; the model options' cut-offs when null.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions are not over this model's users and items.</exception>
    RankingEvaluation Evaluate(Interactions heldOut, IReadOnlyList<int>? cutoffs = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates recommendations for users the model has never seen (<see cref="InteractionDataset.SplitNewUsers"/>): each
    /// user of <paramref name="hidden"/> is scored as a visitor who brings only its items in <paramref name="given"/>, and
    /// every item but those is ranked.
    /// </summary>
    /// <param name="given">The items each new user brings.</param>
    /// <param name="hidden">The items to find.</param>
    /// <param name="cutoffs">The cut-offs K; the model options' cut-offs when null.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions are not over this model's users and items.</exception>
    RankingEvaluation EvaluateNewUsers(Interactions given, Interactions hidden, IReadOnlyList<int>? cutoffs = null, CancellationToken cancellationToken = default);

    /// <summary>The top <paramref name="count"/> items for <paramref name="userId"/> (an original id), best first, never one of its training items.</summary>
    /// <remarks>
    /// A user of the dataset without training interactions (only held-out ones) gets <see cref="PopularItems"/>, each
    /// marked <see cref="RecommendationSource.PopularItems"/>: the model learnt nothing about it.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">The model does not know the user (<see cref="RecommendForItems"/> serves a visitor).</exception>
    IReadOnlyList<Recommendation> Recommend(long userId, int count = 10);

    /// <summary>Recommendations for many users, in the order given, scored in batches; a user without training interactions gets the popular items, as from <see cref="Recommend"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know one of the users.</exception>
    IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<long> userIds, int count = 10, CancellationToken cancellationToken = default);

    /// <summary>
    /// Recommendations for a visitor the model was not trained on, from the original ids of the items the visitor
    /// interacted with; never one of them. Ids the model does not know are left out and reported in the result.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="itemIds"/> is empty (<see cref="PopularItems"/> suits a visitor with nothing yet).</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model; the message lists them.</exception>
    NewUserRecommendations RecommendForItems(IReadOnlyList<long> itemIds, int count = 10);

    /// <summary>The <paramref name="count"/> items most similar to <paramref name="itemId"/>, itself excluded; each model documents its measure.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know the item.</exception>
    IReadOnlyList<Recommendation> SimilarItems(long itemId, int count = 10);

    /// <summary>The most interacted-with training items, most first; the score is the count.</summary>
    IReadOnlyList<Recommendation> PopularItems(int count = 10);

    /// <summary>User and item embeddings as plain arrays with their original ids, for a vector index; each model documents what they are.</summary>
    EmbeddingExport ExportEmbeddings();

    /// <summary>
    /// Saves the model with its ids, training interactions and item metadata to <paramref name="path"/>, atomically (a
    /// temporary file renamed over the target), in GraphRec's versioned, checksummed model format.
    /// </summary>
    Task SaveAsync(string path, CancellationToken cancellationToken = default);
}
