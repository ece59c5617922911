using GraphRec.Core.Inference;

namespace GraphRec.Sample;

/// <summary><c>recommend</c> and <c>similar</c>: read a saved model and answer from it.</summary>
internal static class RecommendCommand
{
    public static async Task<int> RunAsync(string modelPath, long userId, int count, CancellationToken cancellationToken)
    {
        using var loaded = await ModelFile.LoadAsync(modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var recommender = new LightGcnRecommender(loaded.Model, loaded.Catalog);
        var recommendations = recommender.Recommend(userId, count);
        int user = loaded.Catalog.Users.GetIndex(userId);
        var history = loaded.Catalog.Train.ItemsOf(user).ToArray();
        var sample = history.Take(5).Select(i => new Recommendation(loaded.Catalog.Items.GetOriginalId(i), i, float.NaN, loaded.Catalog.GetItemInfo(i)));
        ConsoleUi.Items($"user {userId}: {history.Length} items in training, a few of them", sample);
        ConsoleUi.Items($"user {userId}: top {recommendations.Items.Count}", recommendations.Items);
        return 0;
    }

    public static async Task<int> SimilarAsync(string modelPath, long itemId, int count, CancellationToken cancellationToken)
    {
        using var loaded = await ModelFile.LoadAsync(modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var recommender = new LightGcnRecommender(loaded.Model, loaded.Catalog);
        var similar = recommender.SimilarItems(itemId, count);
        loaded.Catalog.Items.TryGetIndex(itemId, out int item);
        ConsoleUi.Items($"nearest to {itemId} {loaded.Catalog.GetItemInfo(item)} by cosine", similar);
        return 0;
    }
}
