using Harrier.Events;
using Harrier.Rules.Compiling;
using Harrier.Rules.Conditions;

namespace Harrier.Rules;

/// <summary>Compiles a stand-alone condition (no macros or lists) for <c>harrier events --filter</c>. Thread-safe.</summary>
public static class EventFilter
{
    /// <summary>
    /// Compiles <paramref name="condition"/>. Throws <see cref="ArgumentException"/> with a message that names the
    /// problem and its column (syntax, unknown or unsupported field, bad value).
    /// </summary>
    public static Func<HarrierEvent, bool> Compile(string condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        try
        {
            var ast = ConditionParser.Parse(condition);
            var builder = new ExpressionBuilder();
            var lambda = (System.Linq.Expressions.Expression<Func<HarrierEvent, bool>>)builder.Build(ast, typeof(HarrierEvent), null);
            var filter = lambda.Compile();
            Fields.DnsNameCache.Shared.Prime(builder.DnsNames); // (fd.*ip.name: first answers)
            return filter;
        }
        catch (ConditionSyntaxException ex)
        {
            throw new ArgumentException($"invalid filter at column {ex.Position + 1}: {ex.Message}", nameof(condition), ex);
        }
        catch (ConditionError ex)
        {
            throw new ArgumentException($"invalid filter at column {ex.Position + 1}: {ex.Message}", nameof(condition), ex);
        }
        catch (UnknownFieldException ex)
        {
            throw new ArgumentException($"invalid filter at column {ex.Position + 1}: {ex.Message}", nameof(condition), ex);
        }
        catch (UnsupportedFieldException ex)
        {
            throw new ArgumentException($"invalid filter at column {ex.Position + 1}: {ex.Message}", nameof(condition), ex);
        }
    }
}
