using GraphRec.Core;

namespace GraphRec.Sample;

/// <summary><c>recommend</c> and <c>similar</c>: read a saved model (LightGCN or GF-CF) and answer from it.</summary>
internal static class RecommendCommand
{
    public static async Task<int> RunAsync(string modelPath, string userId, int count, CancellationToken cancellationToken)
    {
        using var model = await Recommenders.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var recommendations = model.Recommend(userId, count);
        if (recommendations.Any(r => r.IsPopularFallback))
        {
            Console.WriteLine($"user {userId} has no training interactions: the {recommendations.Count} most popular items, the same for every such user, not personal recommendations.");
            ConsoleUi.Items($"user {userId}: the {recommendations.Count} most popular items", recommendations);
            return 0;
        }

        var history = model.TrainingInteractions.ItemsOf(model.Users.GetIndex(userId)).ToArray();
        var sample = history.Take(5).Select(i => Listed(model, i));
        ConsoleUi.Items($"user {userId}: {history.Length} items in training, a few of them", sample);
        ConsoleUi.Items($"user {userId}: top {recommendations.Count} ({TrainCommand.DisplayName(model)})", recommendations);
        return 0;
    }

    /// <summary>A visitor the model has never seen, given the ids of the items it interacted with.</summary>
    public static async Task<int> ForItemsAsync(string modelPath, IReadOnlyList<string> itemIds, int count, CancellationToken cancellationToken)
    {
        using var model = await Recommenders.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var result = model.RecommendForItems(itemIds, count);
        if (result.UnknownItemIds.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"not in the model, left out: item id{(result.UnknownItemIds.Count == 1 ? "" : "s")} {string.Join(", ", result.UnknownItemIds)}").ConfigureAwait(false);
        }

        var given = result.UsedItemIds.Select(id => Listed(model, model.Items.GetIndex(id)));
        ConsoleUi.Items($"a new user with {result.UsedItemIds.Count} item{(result.UsedItemIds.Count == 1 ? "" : "s")}", given);
        string how = model is SpectralFilter ? "exact for a new user" : "folded in";
        ConsoleUi.Items($"top {result.Items.Count} for them ({TrainCommand.DisplayName(model)}, {how})", result.Items);
        return 0;
    }

    /// <summary>Item index <paramref name="item"/> as a table row without a score.</summary>
    private static Recommendation Listed(IRecommender model, int item) =>
        new(model.Items.GetId(item), item, float.NaN, model.ItemInfo?[item]);

    public static async Task<int> SimilarAsync(string modelPath, string itemId, int count, CancellationToken cancellationToken)
    {
        using var model = await Recommenders.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var similar = model.SimilarItems(itemId, count);
        string measure = model is SpectralFilter ? "by the filter's scores for a user with only this item" : "by cosine";
        ConsoleUi.Items($"nearest to {itemId} {model.ItemInfo?[model.Items.GetIndex(itemId)]} {measure}", similar);
        return 0;
    }
}
