/**
 * The xAPI 1.0.3 statement shapes the translator produces: a precise subset of the LRS's own
 * (loose) `Statement`, to which they are assignable (checked in the tests). Type aliases rather than
 * interfaces where the LRS type has an index signature: only aliases are implicitly indexable.
 */

export type LanguageMap = Readonly<Record<string, string>>;

export interface TranslationAgent {
  readonly objectType: 'Agent';
  readonly name?: string;
  readonly account: { readonly homePage: string; readonly name: string };
}

export type XapiActivityDefinition = {
  readonly type: string;
  readonly name?: LanguageMap;
  readonly description?: LanguageMap;
  readonly interactionType?: string;
  readonly correctResponsesPattern?: string[];
};

export type XapiActivity = {
  readonly objectType: 'Activity';
  readonly id: string;
  readonly definition: XapiActivityDefinition;
};

/** A context activity as the profile writes it (the category activity carries only its type). */
export type XapiContextActivity = {
  readonly id: string;
  readonly definition?: XapiActivityDefinition;
};

export type XapiScore = {
  readonly scaled?: number;
  readonly raw?: number;
  readonly min?: number;
  readonly max?: number;
};

export type XapiResult = {
  readonly score?: XapiScore;
  readonly success?: boolean;
  readonly completion?: boolean;
  readonly response?: string;
  readonly duration?: string;
};

export type XapiContext = {
  readonly registration: string;
  readonly contextActivities: {
    readonly parent?: XapiContextActivity[];
    readonly grouping: XapiContextActivity[];
    readonly category: XapiContextActivity[];
  };
  readonly platform?: string;
};

export interface Statement {
  readonly id: string;
  readonly actor: TranslationAgent;
  readonly verb: { readonly id: string; readonly display: LanguageMap };
  readonly object: XapiActivity;
  readonly result?: XapiResult;
  readonly context: XapiContext;
  readonly timestamp: string;
}
