import { defineError } from '@data-spine/service-kit';

export const UiAssetNotFound = defineError('LIN_UI_ASSET_NOT_FOUND', "the UI has no asset '%s'", 404);
