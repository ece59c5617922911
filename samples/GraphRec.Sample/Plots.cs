using GraphRec.Core;
using GraphRec.Metrics;
using ScottPlot;

namespace GraphRec.Sample;

/// <summary>The notebook's three plots, with ScottPlot: training loss, and validation precision and recall per epoch.</summary>
internal static class Plots
{
    /// <summary>The files <see cref="Write"/> can write in its folder.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["loss.png", $"{MetricNames.Precision}.png", $"{MetricNames.Recall}.png"];

    public static IReadOnlyList<string> Write(IReadOnlyList<TrainingProgress> history, IReadOnlyList<int> cutoffs, string folder)
    {
        var written = new List<string>();
        double[] epochs = [.. history.Select(h => (double)h.Epoch)];
        var loss = new Plot();
        loss.Add.Scatter(epochs, history.Select(h => h.Loss).ToArray()).LegendText = "BPR loss";
        loss.Title("Training loss");
        loss.XLabel("epoch");
        loss.YLabel("mean BPR loss");
        written.Add(Save(loss, Path.Combine(folder, FileNames[0])));

        var validated = history.Where(h => h.Validation is not null).ToArray();
        if (validated.Length == 0)
        {
            return written;
        }

        foreach (var metric in new[] { MetricNames.Precision, MetricNames.Recall })
        {
            var plot = new Plot();
            foreach (int k in cutoffs)
            {
                var scatter = plot.Add.Scatter(
                    validated.Select(h => (double)h.Epoch).ToArray(), validated.Select(h => h.Validation![MetricNames.Key(metric, k)]).ToArray());
                scatter.LegendText = MetricNames.Key(metric, k);
            }

            plot.ShowLegend();
            plot.Title($"Validation {metric}");
            plot.XLabel("epoch");
            plot.YLabel(metric);
            written.Add(Save(plot, Path.Combine(folder, $"{metric}.png")));
        }

        return written;
    }

    private static string Save(Plot plot, string path)
    {
        OutputFolder.WriteAsync(path, temporary =>
        {
            plot.SavePng(temporary, 800, 500);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();
        return path;
    }
}
