namespace GraphRec.Hosting;

/// <summary>The items nearest to an item, nearest first; never the item itself.</summary>
/// <param name="ItemId">The item asked about, as given.</param>
/// <param name="Model">The generation of the model that answered (<see cref="ServedModel.Generation"/>).</param>
/// <param name="Items">The nearest items, nearest first.</param>
public sealed record SimilarItemsResponse(string ItemId, int Model, IReadOnlyList<RecommendedItem> Items);
