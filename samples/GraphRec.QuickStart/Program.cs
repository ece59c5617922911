using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;

// MovieLens 100K from GRAPHREC_DATA_DIR, else ~/.cache/graphrec (downloaded there the first time).
var dataset = await new MovieLensProvider(MovieLensRelease.Ml100K).LoadAsync();
var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 2020), validation: Splitters.RandomHoldout(0.1, seed: 2020));
using var model = LightGcn.Train(dataset, split); // the defaults: 64 dimensions, 3 layers, 50 epochs, best validated epoch kept
RankingEvaluation test = model.Evaluate(split.Test); // full catalogue; the user's train and validation items excluded
Console.WriteLine($"Precision@10 {test.Mean(MetricNames.Precision, 10):F4}, NDCG@10 {test.Mean(MetricNames.Ndcg, 10):F4}, Recall@20 {test.Mean(MetricNames.Recall, 20):F4}");
Console.WriteLine($"For user 1: {string.Join(", ", model.Recommend(userId: 1, count: 3).Select(r => r.Info?.Title))}");
Console.WriteLine($"Nearest to Star Wars: {model.SimilarItems(itemId: 50, count: 1)[0].Info?.Title}");
await model.SaveAsync("model.graphrec"); // LightGcn.LoadAsync("model.graphrec") serves it again, in another process
