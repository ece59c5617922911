using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>Checks <see cref="RetrainingOptions"/> when the host starts: an interval of at least a second, valid LightGCN options, a usable path.</summary>
internal sealed class RetrainingOptionsValidator : IValidateOptions<RetrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, RetrainingOptions options)
    {
        var failures = new List<string>();
        if (options.Interval is TimeSpan interval && interval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{nameof(RetrainingOptions)}.{nameof(RetrainingOptions.Interval)} is {interval}: give at least one second, or null to retrain only when asked.");
        }

        if (options.ModelPath is { } path && (string.IsNullOrWhiteSpace(path) || Directory.Exists(path)))
        {
            failures.Add($"{nameof(RetrainingOptions)}.{nameof(RetrainingOptions.ModelPath)} \"{path}\" is {(Directory.Exists(path) ? "a folder" : "blank")}: give a file path, or null to write over the served model.");
        }

        if (options.LightGcn is { } lightGcn)
        {
            try
            {
                lightGcn.Validate();
            }
            catch (ArgumentException error)
            {
                failures.Add($"{nameof(RetrainingOptions)}.{nameof(RetrainingOptions.LightGcn)}: {error.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
