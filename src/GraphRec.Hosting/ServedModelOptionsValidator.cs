using GraphRec.Core;
using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>
/// Checks the options when the host starts: a model path is given, and the file there is a GraphRec model (magic,
/// version, length and checksum), so that a missing or damaged file stops the host with one line that says which.
/// </summary>
internal sealed class ServedModelOptionsValidator : IValidateOptions<ServedModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ServedModelOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return ValidateOptionsResult.Fail($"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ModelPath)} is empty: give the model file to serve (the sample's train writes graphrec-output/model.graphrec).");
        }

        if (options.ReloadDelay < TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ReloadDelay)} must not be negative; it is {options.ReloadDelay}.");
        }

        try
        {
            ModelFile.ReadCheckedAsync(options.ModelPath).GetAwaiter().GetResult();
            return ValidateOptionsResult.Success;
        }
        catch (Exception error) when (error is ModelFormatException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ModelPath)}: {error.Message}");
        }
    }
}
