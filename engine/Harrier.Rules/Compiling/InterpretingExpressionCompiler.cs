using System.Linq.Expressions;
using NRules.Extensibility;

namespace Harrier.Rules.Compiling;

/// <summary>
/// NRules expression compiler that interprets instead of emitting IL. Used when the pre-match stage runs first: NRules
/// then sees only events already known to satisfy a rule, so building the network fast matters more than evaluating
/// its conditions fast. Thread-safe.
/// </summary>
internal sealed class InterpretingExpressionCompiler : IExpressionCompiler
{
    public TDelegate Compile<TDelegate>(Expression<TDelegate> expression)
        where TDelegate : Delegate
        => expression.Compile(preferInterpretation: true);
}
