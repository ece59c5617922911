using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core;

/// <summary>
/// A fitted recommender, whichever its model (<see cref="LightGcn"/>, <see cref="SpectralFilter"/>): what a service or an
/// evaluation needs, by the ids the dataset gave (text, or integers through the
/// <see cref="long"/> overloads). <see cref="Recommenders.LoadAsync"/> loads any saved one. Thread-safe for
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
    /// held-out items, every item is ranked except those the user has in train, in validation when evaluating another part (this process's
    /// trained model keeps its split's validation part; a loaded one has none), and in <paramref name="exclude"/>.
    /// </summary>
    /// <param name="heldOut">The interactions to find.</param>
    /// <param name="cutoffs">The cut-offs K; the model options' cut-offs when null.</param>
    /// <param name="sampleUsers">Rank only this many users with held-out items, drawn at random; all when null (the default). The result's <see cref="RankingEvaluation.SampledFrom"/> says how many it was drawn from.</param>
    /// <param name="sampleSeed">The seed of the draw: the same seed and interactions give the same users. Default 2020.</param>
    /// <param name="exclude">
    /// More interactions to leave out of the rankings, besides the training ones: for a model loaded from a file, which
    /// knows only its train part, the validation part of the split it was trained with (<c>[split.Validation]</c>; a
    /// null part, as a split without validation has, is skipped). The <paramref name="heldOut"/> instance itself is
    /// never excluded; a part that shares its interactions would hide them. None by default.
    /// </param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions, or a part of <paramref name="exclude"/>, are not over this model's users and items, or <paramref name="sampleUsers"/> is not positive.</exception>
    RankingEvaluation Evaluate(Interactions heldOut, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, IReadOnlyList<Interactions?>? exclude = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates recommendations for users the model has never seen (<see cref="InteractionDataset.SplitNewUsers"/>): each
    /// user of <paramref name="hidden"/> is scored as a visitor who brings only its items in <paramref name="given"/>, and
    /// every item but those is ranked.
    /// </summary>
    /// <param name="given">The items each new user brings.</param>
    /// <param name="hidden">The items to find.</param>
    /// <param name="cutoffs">The cut-offs K; the model options' cut-offs when null.</param>
    /// <param name="sampleUsers">Rank only this many users with held-out items, drawn at random; all when null (the default). The result's <see cref="RankingEvaluation.SampledFrom"/> says how many it was drawn from.</param>
    /// <param name="sampleSeed">The seed of the draw: the same seed and interactions give the same users. Default 2020.</param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions are not over this model's users and items, or <paramref name="sampleUsers"/> is not positive.</exception>
    RankingEvaluation EvaluateNewUsers(Interactions given, Interactions hidden, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default);

    /// <summary>
    /// The top <paramref name="count"/> items for <paramref name="userId"/> (the id as the dataset gave it, matched
    /// exactly: see <see cref="IdMap"/>), best first, never one of its training items.
    /// </summary>
    /// <remarks>
    /// A user of the dataset without training interactions (only held-out ones) gets <see cref="PopularItems"/>, each
    /// marked <see cref="Recommendation.IsPopularFallback"/>: the model learnt nothing about it.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">The model does not know the user; the message names the id as given (<see cref="RecommendForItems(IReadOnlyList{string}, int)"/> serves a visitor).</exception>
    IReadOnlyList<Recommendation> Recommend(string userId, int count = 10);

    /// <summary>As <see cref="Recommend(string, int)"/>, for an integer id (the same user as its invariant-culture text).</summary>
    /// <exception cref="KeyNotFoundException">The model does not know the user.</exception>
    IReadOnlyList<Recommendation> Recommend(long userId, int count = 10) => Recommend(IdText.Of(userId), count);

    /// <summary>Recommendations for many users, in the order given, scored in batches; a user without training interactions gets the popular items, as from <see cref="Recommend(string, int)"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know one of the users.</exception>
    IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<string> userIds, int count = 10, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="RecommendMany(IReadOnlyList{string}, int, CancellationToken)"/>, for integer ids.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know one of the users.</exception>
    IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<long> userIds, int count = 10, CancellationToken cancellationToken = default) =>
        RecommendMany(IdText.Of(userIds), count, cancellationToken);

    /// <summary>
    /// Recommendations for a visitor the model was not trained on, from the ids of the items the visitor interacted
    /// with; never one of them. Ids the model does not know are left out and reported in the result.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="itemIds"/> is empty (<see cref="PopularItems"/> suits a visitor with nothing yet).</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model; the message lists them as given.</exception>
    NewUserRecommendations RecommendForItems(IReadOnlyList<string> itemIds, int count = 10);

    /// <summary>As <see cref="RecommendForItems(IReadOnlyList{string}, int)"/>, for integer ids.</summary>
    /// <exception cref="ArgumentException"><paramref name="itemIds"/> is empty.</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model.</exception>
    NewUserRecommendations RecommendForItems(IReadOnlyList<long> itemIds, int count = 10) => RecommendForItems(IdText.Of(itemIds), count);

    /// <summary>The <paramref name="count"/> items most similar to <paramref name="itemId"/> (as given), itself excluded; each model documents its measure.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know the item; the message names the id as given.</exception>
    IReadOnlyList<Recommendation> SimilarItems(string itemId, int count = 10);

    /// <summary>As <see cref="SimilarItems(string, int)"/>, for an integer id.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know the item.</exception>
    IReadOnlyList<Recommendation> SimilarItems(long itemId, int count = 10) => SimilarItems(IdText.Of(itemId), count);

    /// <summary>The most interacted-with training items, most first; the score is the count.</summary>
    IReadOnlyList<Recommendation> PopularItems(int count = 10);

    /// <summary>User and item embeddings as plain arrays with their ids as text, for a vector index; each model documents what they are.</summary>
    EmbeddingExport ExportEmbeddings();

    /// <summary>
    /// Saves the model with its ids, training interactions and item metadata to <paramref name="path"/>, atomically (a
    /// temporary file renamed over the target), in GraphRec's versioned, checksummed model format.
    /// </summary>
    Task SaveAsync(string path, CancellationToken cancellationToken = default);
}
