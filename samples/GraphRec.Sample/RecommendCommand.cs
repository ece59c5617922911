using GraphRec.Core;

namespace GraphRec.Sample;

/// <summary><c>recommend</c> and <c>similar</c>: read a saved model and answer from it.</summary>
internal static class RecommendCommand
{
    public static async Task<int> RunAsync(string modelPath, long userId, int count, CancellationToken cancellationToken)
    {
        using var model = await LightGcn.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var recommendations = model.Recommend(userId, count);
        var history = model.TrainingInteractions.ItemsOf(model.Users.GetIndex(userId)).ToArray();
        var sample = history.Take(5).Select(i => new Recommendation(model.Items.GetOriginalId(i), i, float.NaN, model.ItemInfo?[i]));
        ConsoleUi.Items($"user {userId}: {history.Length} items in training, a few of them", sample);
        ConsoleUi.Items($"user {userId}: top {recommendations.Count}", recommendations);
        return 0;
    }

    public static async Task<int> SimilarAsync(string modelPath, long itemId, int count, CancellationToken cancellationToken)
    {
        using var model = await LightGcn.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var similar = model.SimilarItems(itemId, count);
        ConsoleUi.Items($"nearest to {itemId} {model.ItemInfo?[model.Items.GetIndex(itemId)]} by cosine", similar);
        return 0;
    }
}
