namespace GraphRec.Core;

/// <summary>Recommendations for a visitor the model was not trained on, from the items the visitor brought.</summary>
/// <param name="Items">The recommended items, best first; never one of <paramref name="UsedItemIds"/>.</param>
/// <param name="UsedItemIds">The visitor's item ids the model knows, each once, in item-index order: what the recommendations are computed from.</param>
/// <param name="UnknownItemIds">The visitor's item ids the model does not know, each once, as given, in the order given: left out of the computation, reported so that a caller can tell.</param>
public sealed record NewUserRecommendations(IReadOnlyList<Recommendation> Items, IReadOnlyList<string> UsedItemIds, IReadOnlyList<string> UnknownItemIds);
