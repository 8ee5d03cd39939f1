export * from './blog-settings.js';
export * from './correction.js';
export * from './language.js';
export * from './post-fields.js';
export * from './publish-at.js';
export * from './tags.js';
export * from './transitions.js';
