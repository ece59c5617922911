namespace GraphRec.Hosting;

/// <summary>A user's recommendations, best first; the user's training items are never among them.</summary>
/// <param name="UserId">The user, as given.</param>
/// <param name="Model">The generation of the model that answered (<see cref="ServedModel.Generation"/>).</param>
/// <param name="Items">The items, best first.</param>
/// <param name="Source">
/// <c>model</c> for the model's own ranking; <c>popular-items</c> when the user has no training interactions (it is in
/// the dataset only through held-out ones), so the model knows nothing of it and the items are the most popular ones,
/// the same for every such user, each scored by its training count.
/// </param>
public sealed record UserRecommendationsResponse(string UserId, int Model, IReadOnlyList<RecommendedItem> Items, string Source);
