export * from './heads';
export * from './mirror';
