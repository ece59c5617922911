namespace GraphRec.Hosting;

/// <summary>A new user's recommendations, from the items it brought; none of those is among them.</summary>
/// <param name="Model">The generation of the model that answered (<see cref="ServedModel.Generation"/>).</param>
/// <param name="UsedItemIds">The items given that the model knows: what the recommendations come from.</param>
/// <param name="UnknownItemIds">The items given that the model does not know: left out.</param>
/// <param name="Items">The items, best first.</param>
public sealed record NewUserRecommendationsResponse(int Model, IReadOnlyList<string> UsedItemIds, IReadOnlyList<string> UnknownItemIds, IReadOnlyList<RecommendedItem> Items);
