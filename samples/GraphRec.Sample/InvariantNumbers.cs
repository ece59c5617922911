using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace GraphRec.Sample;

/// <summary>
/// Numbers on the command line read the same on every machine: a decimal point, no thousands separator, whatever the
/// culture. The parser's own conversion accepts thousands separators, so <c>--lr 0,005</c> would be 5; here a comma is
/// refused with the spelling that was meant. The benchmarks app compiles this file too.
/// </summary>
internal static class InvariantNumbers
{
    /// <summary>Gives every floating-point option of <paramref name="command"/> and its subcommands the invariant parser.</summary>
    public static void Apply(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<double> number:
                    number.CustomParser = Parse<double>;
                    break;
                case Option<double?> number:
                    number.CustomParser = result => Parse<double>(result);
                    break;
                case Option<float> number:
                    number.CustomParser = Parse<float>;
                    break;
                case Option<float?> number:
                    number.CustomParser = result => Parse<float>(result);
                    break;
            }
        }

        foreach (var subcommand in command.Subcommands)
        {
            Apply(subcommand);
        }
    }

    /// <summary>
    /// <paramref name="text"/> as a number in the invariant culture: with a decimal point and an exponent for floating
    /// point, digits only (and a sign) for integers; never a thousands separator.
    /// </summary>
    /// <remarks>Only finite numbers: 1e400 reads as infinity and "NaN" as itself, and no option of these apps means either.</remarks>
    public static bool TryParse<T>(string text, out T value)
        where T : INumberBase<T> =>
        TryParseAny(text, out value) && T.IsFinite(value);

    private static bool TryParseAny<T>(string text, out T value)
        where T : INumberBase<T> =>
        T.TryParse(text, IsFloatingPoint<T>() ? NumberStyles.Float : NumberStyles.Integer, CultureInfo.InvariantCulture, out value!);

    private static bool IsFloatingPoint<T>() => typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);

    private static T Parse<T>(ArgumentResult result)
        where T : struct, INumberBase<T>
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        string name = (result.Parent as OptionResult)?.Option.Name ?? result.Argument.Name;
        if (TryParse(text, out T value))
        {
            return value;
        }

        if (TryParseAny<T>(text, out _))
        {
            result.AddError($"{name} must be a finite number; '{text}' is not one.");
            return default;
        }

        string withPoint = text.Replace(',', '.');
        result.AddError(text.Contains(',', StringComparison.Ordinal) && TryParse<T>(withPoint, out _)
            ? $"{name} takes a decimal point and no thousands separator, such as {name} {withPoint}; '{text}' has a comma."
            : $"{name} must be a number, such as {name} 0.5; '{text}' is not one.");
        return default;
    }
}
