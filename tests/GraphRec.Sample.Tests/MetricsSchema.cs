using System.Text.Json;
using Json.Schema;

namespace GraphRec.Sample.Tests;

/// <summary>samples/GraphRec.Sample/metrics.schema.json, the contract of the metrics.json that <c>train</c> writes.</summary>
internal static class MetricsSchema
{
    // Parsed once: the library keeps a registry of schemas by $id.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "metrics.schema.json"))));

    /// <summary>Fails with every violation's place and message when the file at <paramref name="metricsPath"/> does not match the schema.</summary>
    public static void AssertMatches(string metricsPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var result = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
