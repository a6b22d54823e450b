using System.Linq.Expressions;
using Harrier.Events;
using Harrier.Rules.Conditions;
using NRules;
using NRules.RuleModel;
using NRules.RuleModel.Builders;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Builds one NRules rule model per (rule, event class) at run time with <see cref="RuleBuilder"/>: a single pattern
/// over the class's CLR fact type (so NRules' type nodes route an event only to rules of its class) whose condition
/// is the compiled expression tree. The action records the match; see <see cref="MatchCollector"/>.
/// </summary>
internal static class NRulesModelBuilder
{
    public static readonly IReadOnlyDictionary<EventClass, Type> FactTypes = new Dictionary<EventClass, Type>
    {
        [EventClass.Process] = typeof(ProcessEvent),
        [EventClass.File] = typeof(FileEvent),
        [EventClass.Network] = typeof(NetworkEvent),
        [EventClass.Privilege] = typeof(PrivilegeEvent),
        [EventClass.Decision] = typeof(DecisionEvent),
    };

    /// <summary>Builds the definition for <paramref name="ruleIndex"/> over <paramref name="cls"/>.</summary>
    public static IRuleDefinition Build(int ruleIndex, string ruleName, EventClass cls, LambdaExpression condition)
    {
        var factType = FactTypes[cls];
        var builder = new RuleBuilder();
        builder.Name(DefinitionName(ruleIndex, cls));
        builder.Description(ruleName);
        builder.Repeatability(RuleRepeatability.Repeatable);

        var lhs = builder.LeftHandSide();
        var pattern = lhs.Pattern(factType, "e");
        pattern.Condition(condition);

        var ctx = Expression.Parameter(typeof(IContext), "ctx");
        var e = Expression.Parameter(factType, "e");
        var body = Expression.Call(typeof(MatchCollector).GetMethod(nameof(MatchCollector.Record))!, ctx, Expression.Constant(ruleIndex), e);
        builder.RightHandSide().Action(Expression.Lambda(body, ctx, e));
        return builder.Build();
    }

    public static string DefinitionName(int ruleIndex, EventClass cls) => ruleIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) + "#" + cls;

    /// <summary>Compiles the Rete network; <paramref name="interpret"/> interprets conditions instead of emitting IL.</summary>
    public static ISessionFactory Compile(IEnumerable<IRuleDefinition> definitions, bool interpret)
    {
        var compiler = new RuleCompiler();
        if (interpret)
        {
            compiler.ExpressionCompiler = new InterpretingExpressionCompiler();
        }

        return compiler.Compile(definitions);
    }
}
